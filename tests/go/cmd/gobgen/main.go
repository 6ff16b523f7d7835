package main

import (
	lm "zerostart.test/go/lambda/messages"

	"bytes"
	"encoding/gob"
	"errors"
	"io"
	"net"
	"net/rpc"
	"os"
	"path/filepath"
	"time"
)

type Point struct{ X, Y int }

type Inner struct {
	A string
	B int
}

type Kitchen struct {
	Flag    bool
	Neg     int64
	Big     uint64
	Small   int8
	F64     float64
	F32     float32
	C       complex128
	S       string
	Raw     []byte
	Ints    []int
	Arr     [3]int
	M       map[string]int
	Nested  Inner
	Ptr     *Inner
	NilPtr  *Inner
	Structs []Inner
	Zero    int
	Iface   interface{}
}

// go1.x: the service aws-lambda-go's lambda/rpc_function.go registers, over the structs of its
// lambda/messages/messages.go (copied in tests/go/lambda/messages).

type Function struct{}

func (Function) Ping(req *lm.PingRequest, res *lm.PingResponse) error { return nil }
func (Function) Invoke(req *lm.InvokeRequest, res *lm.InvokeResponse) error {
	if string(req.Payload) == "boom" {
		res.Error = &lm.InvokeResponse_Error{Message: "boom", Type: "E", ShouldExit: true,
			StackTrace: []*lm.InvokeResponse_Error_StackFrame{{Path: "main.go", Line: 42, Label: "f"}}}
		return nil
	}
	if string(req.Payload) == "rpcerr" {
		return errors.New("bad")
	}
	res.Payload = []byte(`{"ok":1}`)
	return nil
}

type tee struct {
	net.Conn
	w io.Writer
}

func (t tee) Write(p []byte) (int, error) { t.w.Write(p); return t.Conn.Write(p) }

func write(dir, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		panic(err)
	}
}

func main() {
	dir := os.Args[1]
	if len(os.Args) > 2 && os.Args[2] == "marshalers" {
		marshalers(dir)
		return
	}
	if len(os.Args) > 2 {
		fresh(dir, os.Args[2])
		return
	}
	var buf bytes.Buffer
	gob.NewEncoder(&buf).Encode(Point{22, 33})
	write(dir, "point.gob", buf.Bytes())

	buf.Reset()
	enc := gob.NewEncoder(&buf)
	k := Kitchen{Flag: true, Neg: -129, Big: 1 << 63, Small: -1, F64: 17.0, F32: 0.5,
		C: complex(1, -2), S: "héllo", Raw: []byte{0, 1, 255}, Ints: []int{0, -1, 300},
		Arr: [3]int{7, 0, 9}, M: map[string]int{"k": 5}, Nested: Inner{"in", 0},
		Ptr: &Inner{"", 3}, Structs: []Inner{{"a", 1}, {}}}
	enc.Encode(k)
	enc.Encode(Kitchen{})
	enc.Encode(42)
	enc.Encode("top")
	enc.Encode([]string{"x", "", "y"})
	write(dir, "kitchen.gob", buf.Bytes())

	// net/rpc over a pipe, teeing each direction.
	var c2s, s2c bytes.Buffer
	cc, sc := net.Pipe()
	srv := rpc.NewServer()
	srv.Register(Function{})
	go srv.ServeConn(tee{sc, &s2c})
	client := rpc.NewClient(tee{cc, &c2s})
	var pr lm.PingResponse
	if err := client.Call("Function.Ping", &lm.PingRequest{}, &pr); err != nil {
		panic(err)
	}
	var ir lm.InvokeResponse
	req := lm.InvokeRequest{Payload: []byte(`{"k":1}`), RequestId: "r1",
		Deadline: lm.InvokeRequest_Timestamp{Seconds: 1700000000, Nanos: 5}, InvokedFunctionArn: "arn:f"}
	if err := client.Call("Function.Invoke", &req, &ir); err != nil {
		panic(err)
	}
	req2 := lm.InvokeRequest{Payload: []byte("boom"), RequestId: "r2", XAmznTraceId: "Root=1",
		Deadline: lm.InvokeRequest_Timestamp{Seconds: -5, Nanos: 999999999}, CognitoIdentityId: "ci",
		CognitoIdentityPoolId: "cp", ClientContext: []byte(`{"c":2}`)}
	ir = lm.InvokeResponse{}
	client.Call("Function.Invoke", &req2, &ir)
	ir = lm.InvokeResponse{}
	client.Call("Function.Nope", &req, &ir)
	client.Close()
	write(dir, "rpc_client_to_server.gob", c2s.Bytes())
	write(dir, "rpc_server_to_client.gob", s2c.Bytes())
}

// fresh writes one direction of net/rpc as gobClientCodec / gobServerCodec would, in a process
// that has used no other gob types, so ids start at 65.
func fresh(dir, mode string) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if mode == "client" {
		enc.Encode(&rpc.Request{ServiceMethod: "Function.Ping", Seq: 0})
		enc.Encode(&lm.PingRequest{})
		enc.Encode(&rpc.Request{ServiceMethod: "Function.Invoke", Seq: 1})
		enc.Encode(&lm.InvokeRequest{Payload: []byte(`{"k":1}`), RequestId: "r1",
			Deadline: lm.InvokeRequest_Timestamp{Seconds: 1700000000, Nanos: 5}, InvokedFunctionArn: "arn:f"})
		write(dir, "fresh_client.gob", buf.Bytes())
		return
	}
	enc.Encode(&rpc.Response{ServiceMethod: "Function.Invoke", Seq: 1})
	enc.Encode(&lm.InvokeResponse{Payload: []byte(`{"ok":1}`)})
	enc.Encode(&rpc.Response{ServiceMethod: "Function.Invoke", Seq: 2})
	enc.Encode(&lm.InvokeResponse{Error: &lm.InvokeResponse_Error{Message: "boom", Type: "E", ShouldExit: true,
		StackTrace: []*lm.InvokeResponse_Error_StackFrame{{Path: "main.go", Line: -42, Label: "f"}}}})
	write(dir, "fresh_server.gob", buf.Bytes())
}

type Bin struct{ v string }

func (b Bin) MarshalBinary() ([]byte, error)  { return []byte(b.v), nil }
func (b *Bin) UnmarshalBinary(p []byte) error { b.v = string(p); return nil }

// marshalers writes values of self-marshalling types (GobEncoder and BinaryMarshaler; Go 1.19
// never sends TextMarshalerT), which the C++ decoder must refuse cleanly.
func marshalers(dir string) {
	for _, c := range []struct {
		name string
		v    interface{}
	}{
		{"gob_encoder.gob", struct{ T time.Time }{time.Unix(1700000000, 0).UTC()}},
		{"binary_marshaler.gob", struct{ B Bin }{Bin{"b"}}},
	} {
		name, v := c.name, c.v
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(v); err != nil {
			panic(err)
		}
		write(dir, name, buf.Bytes())
	}
}

// Go's own net/rpc client (stdlib only, Go 1.19) drives a zerostart function binary in go1.x
// mode: Ping, Invoke from 0 B to 5 MiB (payload round trip), Go's reply for an unknown method,
// and 20 pipelined Invokes answered by Seq. Message structs as aws-lambda-go's lambda/messages.
// Usage: go run . FUNCTION_BINARY   (exits non-zero on any mismatch)
package main

import (
	"bytes"
	"fmt"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"time"
)

type PingRequest struct{}
type PingResponse struct{}
type InvokeRequest_Timestamp struct{ Seconds, Nanos int64 }
type InvokeRequest struct {
	Payload               []byte
	RequestId             string
	XAmznTraceId          string
	Deadline              InvokeRequest_Timestamp
	InvokedFunctionArn    string
	CognitoIdentityId     string
	CognitoIdentityPoolId string
	ClientContext         []byte
}
type InvokeResponse_Error_StackFrame struct {
	Path  string
	Line  int32
	Label string
}
type InvokeResponse_Error struct {
	Message    string
	Type       string
	StackTrace []*InvokeResponse_Error_StackFrame
	ShouldExit bool
}
type InvokeResponse struct {
	Payload []byte
	Error   *InvokeResponse_Error
}

// A free loopback port for the function to serve on.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil { panic(err) }
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func main() {
	port := freePort()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(os.Args[1])
	cmd.Env = []string{fmt.Sprintf("_LAMBDA_SERVER_PORT=%d", port)}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil { panic(err) }
	defer cmd.Process.Kill()
	var c *rpc.Client
	var err error
	for i := 0; i < 200; i++ {
		c, err = rpc.Dial("tcp", addr)
		if err == nil { break }
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil { panic(err) }
	if err := c.Call("Function.Ping", PingRequest{}, &PingResponse{}); err != nil { panic(err) }
	sizes := []int{0, 16, 1024, 65536, 1 << 20, 5 << 20}
	for _, n := range sizes {
		p := bytes.Repeat([]byte("a"), n)
		var r InvokeResponse
		req := InvokeRequest{Payload: p, RequestId: fmt.Sprint("id-", n), Deadline: InvokeRequest_Timestamp{Seconds: time.Now().Unix() + 30}}
		t := time.Now()
		if err := c.Call("Function.Invoke", req, &r); err != nil { panic(err) }
		if !bytes.Equal(r.Payload, p) || r.Error != nil { panic(fmt.Sprint("mismatch at ", n)) }
		fmt.Printf("invoke %d B ok in %v\n", n, time.Since(t))
	}
	err = c.Call("Function.Nope", PingRequest{}, &PingResponse{})
	if err == nil || err.Error() != "rpc: can't find method Function.Nope" { panic(fmt.Sprint("unknown method: ", err)) }
	fmt.Println("unknown method ->", err)
	// pipelined
	calls := []*rpc.Call{}
	for i := 0; i < 20; i++ {
		var r InvokeResponse
		calls = append(calls, c.Go("Function.Invoke", InvokeRequest{Payload: []byte(fmt.Sprint(i)), RequestId: fmt.Sprint(i)}, &r, nil))
	}
	for i, call := range calls {
		<-call.Done
		if call.Error != nil || string(call.Reply.(*InvokeResponse).Payload) != fmt.Sprint(i) { panic("pipelined") }
	}
	fmt.Println("20 pipelined ok")
}

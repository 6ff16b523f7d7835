// Go's own net/rpc client (stdlib only, Go 1.19) drives a zerostart function binary in go1.x
// mode: Ping, Invoke from 0 B to 5 MiB (payload round trip), Go's reply for an unknown method,
// 20 pipelined Invokes answered by Seq, and 1000 sequential Invokes on the one connection.
// With -faulty the binary is tests/functions/faulty, and handler errors are checked too: a
// returned error and a thrown exception arrive in InvokeResponse.Error (the RPC error stays nil).
// Message structs as aws-lambda-go's lambda/messages.
// Usage: rpc_client [-faulty] FUNCTION_BINARY   (exits non-zero on any mismatch)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/rpc"
	"os"
	"os/exec"
	"time"

	"zerostart.test/go/internal/loopback"
	lm "zerostart.test/go/lambda/messages"
)

// invoke calls Function.Invoke with `payload`; an RPC-level error panics.
func invoke(c *rpc.Client, payload string) lm.InvokeResponse {
	var r lm.InvokeResponse
	req := lm.InvokeRequest{Payload: []byte(payload), RequestId: "id", Deadline: lm.InvokeRequest_Timestamp{Seconds: time.Now().Unix() + 30}}
	if err := c.Call("Function.Invoke", req, &r); err != nil {
		panic(err)
	}
	return r
}

// checkErrors: faulty's returned error and thrown exception, as Lambda's go1.x would see them.
func checkErrors(c *rpc.Client) {
	cases := []struct{ action, errType, message string }{
		{"error", "MyError", "faulty: returned an error"},
		{"throw", "std::runtime_error", "faulty: ünïcödé failure"},
	}
	for _, tc := range cases {
		r := invoke(c, fmt.Sprintf(`{"action":%q}`, tc.action))
		if r.Error == nil || r.Error.Type != tc.errType || r.Error.Message != tc.message || r.Error.ShouldExit || r.Payload != nil {
			panic(fmt.Sprintf("%s: got payload %q error %+v", tc.action, r.Payload, r.Error))
		}
		fmt.Printf("%s -> Error{Type: %q, Message: %q}\n", tc.action, r.Error.Type, r.Error.Message)
	}
}

func main() {
	faulty := flag.Bool("faulty", false, "the binary is tests/functions/faulty: check handler errors too")
	flag.Parse()
	port := loopback.FreePort()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(flag.Arg(0))
	cmd.Env = []string{fmt.Sprintf("_LAMBDA_SERVER_PORT=%d", port)}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	defer cmd.Process.Kill()
	var c *rpc.Client
	var err error
	for i := 0; i < 200; i++ {
		c, err = rpc.Dial("tcp", addr)
		if err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		panic(err)
	}
	if err := c.Call("Function.Ping", lm.PingRequest{}, &lm.PingResponse{}); err != nil {
		panic(err)
	}
	sizes := []int{0, 16, 1024, 65536, 1 << 20, 5 << 20}
	for _, n := range sizes {
		p := bytes.Repeat([]byte("a"), n)
		var r lm.InvokeResponse
		req := lm.InvokeRequest{Payload: p, RequestId: fmt.Sprint("id-", n), Deadline: lm.InvokeRequest_Timestamp{Seconds: time.Now().Unix() + 30}}
		t := time.Now()
		if err := c.Call("Function.Invoke", req, &r); err != nil {
			panic(err)
		}
		if !bytes.Equal(r.Payload, p) || r.Error != nil {
			panic(fmt.Sprint("mismatch at ", n))
		}
		fmt.Printf("invoke %d B ok in %v\n", n, time.Since(t))
	}
	err = c.Call("Function.Nope", lm.PingRequest{}, &lm.PingResponse{})
	if err == nil || err.Error() != "rpc: can't find method Function.Nope" {
		panic(fmt.Sprint("unknown method: ", err))
	}
	fmt.Println("unknown method ->", err)
	// pipelined
	calls := []*rpc.Call{}
	for i := 0; i < 20; i++ {
		var r lm.InvokeResponse
		calls = append(calls, c.Go("Function.Invoke", lm.InvokeRequest{Payload: []byte(fmt.Sprint(i)), RequestId: fmt.Sprint(i)}, &r, nil))
	}
	for i, call := range calls {
		<-call.Done
		if call.Error != nil || string(call.Reply.(*lm.InvokeResponse).Payload) != fmt.Sprint(i) {
			panic("pipelined")
		}
	}
	fmt.Println("20 pipelined ok")
	if *faulty {
		checkErrors(c)
	}
	for i := 0; i < 1000; i++ {
		want := fmt.Sprint("sequential-", i)
		if r := invoke(c, want); string(r.Payload) != want || r.Error != nil {
			panic(fmt.Sprint("sequential invoke ", i, ": ", string(r.Payload)))
		}
	}
	fmt.Println("1000 sequential ok")
}

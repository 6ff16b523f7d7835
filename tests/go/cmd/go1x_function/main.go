// go1x_function: a legacy go1.x Lambda function written against the same wire contract as
// aws-lambda-go's RPC mode (lambda/rpc_function.go, lambda/entry.go), using only Go's standard
// library — the module proxy is not reachable, so aws-lambda-go itself cannot be built here.
// zerostart's emulator drives it with `zerostart serve --protocol go1x`.
//
// Like aws-lambda-go: serves net/rpc (gob) on localhost:$_LAMBDA_SERVER_PORT with a receiver
// named Function (methods Ping, Invoke); handler errors travel in InvokeResponse.Error with
// Type = the error's Go type name; a panic is recovered into an Error with a stack trace and
// ShouldExit = true, and the process keeps serving.
//
// The payload selects the behaviour (anything that is not such an object is echoed):
//
//	{"mode":"echo", ...}            the payload back
//	{"mode":"context"}              JSON of what the invoke carried (ids, deadline, env)
//	{"mode":"error","message":M}    errors.New(M)            -> errorType "errorString"
//	{"mode":"panic","message":M}    panic(M)                 -> errorType "string", ShouldExit
//	{"mode":"sleep","ms":N}         sleeps N ms, then answers {"slept":N}
//	{"mode":"exit","code":C}        os.Exit(C) mid-invoke
//	{"mode":"log","message":M}      M on stdout and stderr, then {"logged":true}
//	{"mode":"bytes","size":N}       N bytes of 'x' as the payload
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/rpc"
	"os"
	"reflect"
	"runtime"
	"strings"
	"time"

	"zerostart.test/go/lambda/messages"
)

type event struct {
	Mode    string `json:"mode"`
	Message string `json:"message"`
	Ms      int    `json:"ms"`
	Code    int    `json:"code"`
	Size    int    `json:"size"`
}

// Function is the RPC receiver; its Go type name is the service name on the wire.
type Function struct{}

func (*Function) Ping(req *messages.PingRequest, res *messages.PingResponse) error {
	*res = messages.PingResponse{}
	return nil
}

func (*Function) Invoke(req *messages.InvokeRequest, res *messages.InvokeResponse) error {
	defer func() {
		if p := recover(); p != nil {
			res.Payload = nil
			res.Error = panicError(p)
		}
	}()
	os.Setenv("_X_AMZN_TRACE_ID", req.XAmznTraceId)
	payload, err := handle(req)
	if err != nil {
		res.Error = &messages.InvokeResponse_Error{Message: err.Error(), Type: errorType(err)}
		return nil
	}
	res.Payload = payload
	return nil
}

func handle(req *messages.InvokeRequest) ([]byte, error) {
	var ev event
	if json.Unmarshal(req.Payload, &ev) != nil || ev.Mode == "" || ev.Mode == "echo" {
		return req.Payload, nil
	}
	switch ev.Mode {
	case "context":
		deadline := time.Unix(req.Deadline.Seconds, req.Deadline.Nanos)
		return json.Marshal(map[string]interface{}{
			"requestId":             req.RequestId,
			"traceId":               req.XAmznTraceId,
			"traceEnv":              os.Getenv("_X_AMZN_TRACE_ID"),
			"functionArn":           req.InvokedFunctionArn,
			"cognitoIdentityId":     req.CognitoIdentityId,
			"cognitoIdentityPoolId": req.CognitoIdentityPoolId,
			"clientContext":         string(req.ClientContext),
			"deadlineMs":            deadline.UnixMilli(),
			"remainingMs":           time.Until(deadline).Milliseconds(),
			"functionName":          os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
			"memorySize":            os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
			"serverPort":            os.Getenv("_LAMBDA_SERVER_PORT"),
			"runtimeApi":            os.Getenv("AWS_LAMBDA_RUNTIME_API"),
			"handler":               os.Getenv("_HANDLER"),
			"executionEnv":          os.Getenv("AWS_EXECUTION_ENV"),
		})
	case "error":
		return nil, errors.New(ev.Message)
	case "panic":
		panic(ev.Message)
	case "sleep":
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
		return []byte(fmt.Sprintf(`{"slept":%d}`, ev.Ms)), nil
	case "exit":
		os.Exit(ev.Code)
	case "log":
		fmt.Fprintln(os.Stdout, ev.Message)
		fmt.Fprintln(os.Stderr, ev.Message)
		return []byte(`{"logged":true}`), nil
	case "bytes":
		return []byte(strings.Repeat("x", ev.Size)), nil
	}
	return nil, fmt.Errorf("unknown mode %q", ev.Mode)
}

// errorType is aws-lambda-go's getErrorType: the Go type name, pointer stripped.
func errorType(err interface{}) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Ptr {
		return t.Elem().Name()
	}
	return t.Name()
}

// panicError is aws-lambda-go's lambdaPanicResponse: message, type, up to 32 frames.
func panicError(p interface{}) *messages.InvokeResponse_Error {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var trace []*messages.InvokeResponse_Error_StackFrame
	for {
		f, more := frames.Next()
		label := f.Function
		if i := strings.LastIndex(label, "."); i >= 0 {
			label = label[i+1:]
		}
		trace = append(trace, &messages.InvokeResponse_Error_StackFrame{Path: f.File, Line: int32(f.Line), Label: label})
		if !more {
			break
		}
	}
	return &messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", p), Type: errorType(p), StackTrace: trace, ShouldExit: true}
}

func main() {
	port := os.Getenv("_LAMBDA_SERVER_PORT")
	if port == "" {
		fmt.Fprintln(os.Stderr, "expected AWS Lambda environment variables [_LAMBDA_SERVER_PORT AWS_LAMBDA_RUNTIME_API] are not defined")
		os.Exit(1)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := rpc.Register(new(Function)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rpc.Accept(l)
}

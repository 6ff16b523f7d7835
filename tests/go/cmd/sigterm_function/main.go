// sigterm_function: a provided.* Lambda function that asks for SIGTERM at shutdown the way
// aws-lambda-go does when built with
//
//	lambda.StartWithOptions(handler, lambda.WithEnableSIGTERM(func() { ... }))
//
// written with Go's standard library only — the module proxy is not reachable, so aws-lambda-go
// itself cannot be built here. What it copies, from aws-lambda-go's lambda/sigterm.go
// (enableSIGTERM), lambda/extensions_api_client.go (register, next) and lambda/handler.go
// (enableSIGTERM runs while the handler is built, before the Runtime API loop starts):
//   - signal.Notify for SIGTERM, the callbacks run on a goroutine when it arrives;
//   - an internal extension named "GoLangEnableSIGTERM" registered with no events: the body is
//     {"events":null}, as json.Marshal writes the nil slice aws-lambda-go passes;
//   - a goroutine calling /extension/event/next that stays blocked (no event ever comes), so
//     init can end; a failed registration is logged as a warning and the function still runs.
//
// The Runtime API loop (aws-lambda-go's lambda/invoke_loop.go, runtime_api_client.go) is
// reduced to GET /next and POST /response with the payload echoed.
//
// Where it differs from aws-lambda-go, so a test can tell the cases apart:
//   - the SIGTERM callback prints "[runtime] SIGTERM received" on stdout and exits 0;
//     aws-lambda-go runs the callbacks and the process keeps running until Lambda's SIGKILL.
//     SIGTERM_FUNCTION_STAY=1 keeps that behaviour (prints the line, does not exit).
//   - SIGTERM_FUNCTION_REGISTER=0 skips the registration (SIGTERM is still caught, so a
//     SIGTERM that came anyway would show);
//   - SIGTERM_FUNCTION_EVENTS=A,B registers with {"events":["A","B"]} instead;
//   - a refused registration's warning also carries the answer's body.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const (
	extensionName             = "GoLangEnableSIGTERM"
	headerExtensionName       = "Lambda-Extension-Name"
	headerExtensionIdentifier = "Lambda-Extension-Identifier"
	headerRequestID           = "Lambda-Runtime-Aws-Request-Id"
)

// client: no timeout, as in aws-lambda-go (the Runtime and Extensions APIs hold requests open).
var client = &http.Client{Timeout: 0}

func main() {
	endpoint := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if endpoint == "" {
		log.Fatal("expected AWS Lambda environment variable AWS_LAMBDA_RUNTIME_API is not defined")
	}
	enableSIGTERM(endpoint, func() {
		fmt.Println("[runtime] SIGTERM received")
		if os.Getenv("SIGTERM_FUNCTION_STAY") != "1" {
			os.Exit(0)
		}
	})
	log.Fatal(serve(endpoint))
}

// enableSIGTERM follows aws-lambda-go's lambda/sigterm.go.
func enableSIGTERM(endpoint string, handler func()) {
	signaled := make(chan os.Signal, 1)
	signal.Notify(signaled, syscall.SIGTERM)
	go func() {
		<-signaled
		handler()
	}()

	if os.Getenv("SIGTERM_FUNCTION_REGISTER") == "0" {
		return
	}
	// Lambda sends SIGTERM before the SIGKILL only when an extension is registered: register
	// one that listens for no events.
	id, err := register(endpoint, extensionName, registerEvents())
	if err != nil {
		log.Printf("WARNING! Failed to register internal extension! SIGTERM events may not be enabled! err: %v", err)
		return
	}
	// No events were asked for, so /next never returns: it only tells the API that this
	// extension's init is done.
	go func() {
		err := next(endpoint, id)
		log.Printf("WARNING! Reached expected unreachable code! Extension /next call expected to block forever! err: %v", err)
	}()
}

// registerEvents: nil (marshalled as null, like aws-lambda-go's empty variadic list) unless
// SIGTERM_FUNCTION_EVENTS names some.
func registerEvents() []string {
	list := os.Getenv("SIGTERM_FUNCTION_EVENTS")
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

func extensionURL(endpoint, path string) string {
	return "http://" + endpoint + "/2020-01-01/extension/" + path
}

// register follows extensionAPIClient.register: POST /register, the identifier from the header.
func register(endpoint, name string, events []string) (string, error) {
	body, _ := json.Marshal(struct {
		Events []string `json:"events"`
	}{Events: events})
	req, _ := http.NewRequest(http.MethodPost, extensionURL(endpoint, "register"), bytes.NewReader(body))
	req.Header.Add(headerExtensionName, name)
	res, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("failed to register extension: %v", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("failed to register extension, got response status: %d %s: %s",
			res.StatusCode, http.StatusText(res.StatusCode), answer)
	}
	return res.Header.Get(headerExtensionIdentifier), nil
}

// next follows extensionAPIClient.next: GET /event/next with the identifier.
func next(endpoint, id string) error {
	req, _ := http.NewRequest(http.MethodGet, extensionURL(endpoint, "event/next"), nil)
	req.Header.Add(headerExtensionIdentifier, id)
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("failed to get extension event: %v", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("failed to get extension event, got response status: %d %s",
			res.StatusCode, http.StatusText(res.StatusCode))
	}
	return nil
}

// serve is the Runtime API loop: every event is answered with itself.
func serve(endpoint string) error {
	base := "http://" + endpoint + "/2018-06-01/runtime/invocation/"
	for {
		res, err := client.Get(base + "next")
		if err != nil {
			return fmt.Errorf("failed to get the next invoke: %v", err)
		}
		payload, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("failed to read the invoke payload: %v", err)
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("failed to GET next: got unexpected status code: %d", res.StatusCode)
		}
		id := res.Header.Get(headerRequestID)
		answer, err := client.Post(base+id+"/response", "application/json", bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("failed to POST the response: %v", err)
		}
		_, _ = io.Copy(io.Discard, answer.Body)
		answer.Body.Close()
	}
}

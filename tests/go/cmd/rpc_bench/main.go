// rpc_bench: Go's own net/rpc client calls Function.Invoke on two go1.x servers, interleaved
// round-robin in one process so that machine noise hits both alike:
//
//	go:        a Go net/rpc server in a separate process (this program re-executed with -serve:
//	           service Function, Invoke copies Payload into the reply, no JSON parsing)
//	zerostart: a zerostart function binary in go1.x mode (e.g. build/bin/echo)
//
// Both are started the same way (_LAMBDA_SERVER_PORT in the environment, one kept connection,
// one call in flight). For each payload size: warm-up calls, then N samples per peer
// alternating A,B,A,B,... (which peer goes first flips every round). Prints p50/p90/min per
// size per peer and the ratio zerostart/go; -json writes the same as JSON.
//
// Usage: rpc_bench -zerostart build/bin/echo [-sizes 16,1024,65536,1048576] [-samples 400]
//
//	[-warmup 50] [-json out.json]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"zerostart.test/go/internal/loopback"

	lm "zerostart.test/go/lambda/messages"
)

// Function is the Go peer's receiver (service name "Function", as aws-lambda-go registers it).
type Function struct{}

func (*Function) Ping(req *lm.PingRequest, res *lm.PingResponse) error {
	*res = lm.PingResponse{}
	return nil
}

// Invoke copies the payload into the reply, as zerostart's echo does (no JSON parsing).
func (*Function) Invoke(req *lm.InvokeRequest, res *lm.InvokeResponse) error {
	res.Payload = append([]byte(nil), req.Payload...)
	return nil
}

// serve is the Go peer's process: net/rpc on 127.0.0.1:$_LAMBDA_SERVER_PORT, as aws-lambda-go.
func serve() {
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("_LAMBDA_SERVER_PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "rpc_bench -serve:", err)
		os.Exit(1)
	}
	if err := rpc.Register(new(Function)); err != nil {
		fmt.Fprintln(os.Stderr, "rpc_bench -serve:", err)
		os.Exit(1)
	}
	rpc.Accept(l)
}

type peer struct {
	name   string
	cmd    *exec.Cmd
	client *rpc.Client
}

// start launches argv with _LAMBDA_SERVER_PORT set and dials it until Ping succeeds.
func start(name string, argv []string) *peer {
	port := loopback.FreePort()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = []string{fmt.Sprintf("_LAMBDA_SERVER_PORT=%d", port)}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fail("start %s: %v", name, err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := rpc.Dial("tcp", addr)
		if err == nil {
			if err = c.Call("Function.Ping", lm.PingRequest{}, &lm.PingResponse{}); err == nil {
				return &peer{name: name, cmd: cmd, client: c}
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			fail("%s not ready: %v", name, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop ends the peer with SIGTERM (so that a wrapper such as `perf record` can finish), and
// SIGKILL if it has not exited within 5 s.
func (p *peer) stop() {
	p.client.Close()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// invoke makes one Function.Invoke call and returns its round-trip time.
func (p *peer) invoke(payload []byte, seq int, check bool) time.Duration {
	req := lm.InvokeRequest{
		Payload:            payload,
		RequestId:          "bench-" + strconv.Itoa(seq),
		Deadline:           lm.InvokeRequest_Timestamp{Seconds: time.Now().Unix() + 60},
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:bench",
	}
	var res lm.InvokeResponse
	t := time.Now()
	if err := p.client.Call("Function.Invoke", req, &res); err != nil {
		fail("%s: invoke of %d B: %v", p.name, len(payload), err)
	}
	d := time.Since(t)
	if res.Error != nil {
		fail("%s: invoke of %d B: function error %s", p.name, len(payload), res.Error.Message)
	}
	if check && !bytes.Equal(res.Payload, payload) {
		fail("%s: invoke of %d B: payload not echoed (%d B back)", p.name, len(payload), len(res.Payload))
	}
	return d
}

type stats struct {
	P50US  float64 `json:"p50_us"`
	P90US  float64 `json:"p90_us"`
	MinUS  float64 `json:"min_us"`
	MeanUS float64 `json:"mean_us"`
}

func summarize(samples []time.Duration) stats {
	s := append([]time.Duration(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	pick := func(q float64) time.Duration { return s[int(q*float64(len(s)-1)+0.5)] }
	return stats{P50US: us(pick(0.5)), P90US: us(pick(0.9)), MinUS: us(s[0]), MeanUS: us(sum) / float64(len(s))}
}

type sizeResult struct {
	Bytes     int     `json:"bytes"`
	Samples   int     `json:"samples"`
	Go        stats   `json:"go"`
	Zerostart stats   `json:"zerostart"`
	RatioP50  float64 `json:"ratio_p50"` // zerostart p50 / go p50 (<= 1 means zerostart is as fast or faster)
	RatioP90  float64 `json:"ratio_p90"`
}

type report struct {
	GoVersion  string       `json:"go_version"`
	GOMAXPROCS int          `json:"gomaxprocs"`
	Zerostart  string       `json:"zerostart_binary"`
	Warmup     int          `json:"warmup"`
	Sizes      []sizeResult `json:"sizes"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "rpc_bench: "+format+"\n", args...)
	os.Exit(1)
}

func human(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func main() {
	serveMode := flag.Bool("serve", false, "internal: run as the Go net/rpc peer")
	zsBinary := flag.String("zerostart", "", "zerostart function binary (go1.x mode via _LAMBDA_SERVER_PORT)")
	sizesFlag := flag.String("sizes", "16,1024,65536,1048576", "payload sizes in bytes, comma-separated")
	samples := flag.Int("samples", 400, "timed calls per size per peer (1 MiB and up get samples/4, at least 50)")
	warmup := flag.Int("warmup", 50, "untimed calls per size per peer before sampling")
	jsonOut := flag.String("json", "", "also write the results as JSON to this file")
	flag.Parse()
	if *serveMode {
		serve()
		return
	}
	if *zsBinary == "" {
		fail("-zerostart FUNCTION_BINARY is required")
	}
	var sizes []int
	for _, f := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			fail("bad size %q", f)
		}
		sizes = append(sizes, n)
	}
	self, err := os.Executable()
	if err != nil {
		fail("%v", err)
	}
	peers := []*peer{start("go", []string{self, "-serve"}), start("zerostart", []string{*zsBinary})}
	defer func() {
		for _, p := range peers {
			p.stop()
		}
	}()

	rng := rand.New(rand.NewSource(1))
	rep := report{GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), Zerostart: *zsBinary, Warmup: *warmup}
	fmt.Printf("%-8s %-10s %10s %10s %10s %8s\n", "size", "peer", "p50 µs", "p90 µs", "min µs", "samples")
	seq := 0
	for _, size := range sizes {
		payload := make([]byte, size)
		for i := range payload {
			payload[i] = byte('a' + rng.Intn(26))
		}
		n := *samples
		if size >= 1<<20 {
			n = *samples / 4
			if n < 50 {
				n = 50
			}
		}
		for i := 0; i < *warmup; i++ {
			for _, p := range peers {
				seq++
				p.invoke(payload, seq, i == 0)
			}
		}
		times := [2][]time.Duration{}
		for i := 0; i < n; i++ {
			// A,B then B,A: neither peer always runs right after the other.
			order := []int{0, 1}
			if i%2 == 1 {
				order = []int{1, 0}
			}
			for _, k := range order {
				seq++
				times[k] = append(times[k], peers[k].invoke(payload, seq, i%64 == 0))
			}
		}
		r := sizeResult{Bytes: size, Samples: n, Go: summarize(times[0]), Zerostart: summarize(times[1])}
		r.RatioP50 = r.Zerostart.P50US / r.Go.P50US
		r.RatioP90 = r.Zerostart.P90US / r.Go.P90US
		rep.Sizes = append(rep.Sizes, r)
		for k, s := range []stats{r.Go, r.Zerostart} {
			fmt.Printf("%-8s %-10s %10.1f %10.1f %10.1f %8d\n", human(size), peers[k].name, s.P50US, s.P90US, s.MinUS, n)
		}
		fmt.Printf("%-8s %-10s %10.2f %10.2f\n", human(size), "ratio", r.RatioP50, r.RatioP90)
	}
	if *jsonOut != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			fail("%v", err)
		}
		if err := os.WriteFile(*jsonOut, append(data, '\n'), 0o644); err != nil {
			fail("%v", err)
		}
	}
}

// Package loopback has the socket helpers the Go test programs share.
package loopback

import "net"

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago (bound, then released),
// for a child process to listen on.
func FreePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

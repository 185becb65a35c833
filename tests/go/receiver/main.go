// A Horneross webhook receiver on Go's net/http, written three ways (-mode), for the receiver suite's tests: two
// mistakes Go integrations make, and the correct receiver.
//
//	map     json.Unmarshal the body into a map[string]any, json.Marshal it and verify the HMAC over that: the keys
//	        come out sorted at every level, and <, >, &, U+2028 and U+2029 escaped
//	struct  the same with a struct in the envelope's order (id, type, timestamp, data) whose data is a
//	        map[string]any: the envelope keeps its order, the keys inside data come out sorted
//	raw     verify the HMAC over the bytes received (io.ReadAll(r.Body)), then parse: conformant
//
//	go build -o go-receiver main.go
//	HORNEROSS_WEBHOOK_SECRET=... ./go-receiver -mode map   # prints "listening PORT", serves on 127.0.0.1
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

const maxBodyBytes = 1 << 20 // a long message fits; a larger body is refused unread

// event is the envelope as the struct mistake declares it: its fields in the order Horneross sends them.
type event struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// signedBytes are the bytes each mode computes its HMAC over, from the body received; an error is a body it cannot
// read as JSON.
var signedBytes = map[string]func(body []byte) ([]byte, error){
	"map": func(body []byte) ([]byte, error) {
		var parsed map[string]any
		if err := json.Unmarshal(body, &parsed); err != nil {
			return nil, err
		}
		return json.Marshal(parsed)
	},
	"struct": func(body []byte) ([]byte, error) {
		var parsed event
		if err := json.Unmarshal(body, &parsed); err != nil {
			return nil, err
		}
		return json.Marshal(parsed)
	},
	"raw": func(body []byte) ([]byte, error) { return body, nil },
}

func receiver(secret []byte, signed func([]byte) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		} else if err != nil {
			http.Error(w, "body not read", http.StatusBadRequest)
			return
		}
		verified, err := signed(body)
		if err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(verified)
		expected := []byte(hex.EncodeToString(mac.Sum(nil)))
		if !hmac.Equal(expected, []byte(r.Header.Get("X-Horneross-Signature"))) {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		var parsed map[string]any // verified first, parsed after: an event is a JSON object
		if err := json.Unmarshal(body, &parsed); err != nil || parsed == nil {
			http.Error(w, "not a JSON object", http.StatusBadRequest)
			return
		}
		// A real handler stores the event by its id, so a redelivery is harmless, and queues slow work.
		fmt.Fprint(w, "OK") // exactly 200: anything else is retried
	}
}

func main() {
	mode := flag.String("mode", "raw", "map, struct or raw: the bytes the HMAC is verified over")
	port := flag.Int("port", 0, "the port on 127.0.0.1 (0: one the system chooses)")
	flag.Parse()
	signed, known := signedBytes[*mode]
	secret := os.Getenv("HORNEROSS_WEBHOOK_SECRET")
	if !known || secret == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: HORNEROSS_WEBHOOK_SECRET=... go-receiver [-port N] -mode map|struct|raw")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port) // os.Stdout is not buffered in Go
	server := &http.Server{Handler: receiver([]byte(secret), signed), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(os.Stderr, server.Serve(listener))
	os.Exit(1)
}

// Command sender serves the sender harness protocol around a Go dispatcher (../webhooks; put yours in its place),
// so that the conformance suite can certify it from another process:
//
//	go build -o horneross-sender ./sender
//	./horneross-sender -delivery-timeout 0.5        # prints "listening PORT"
//	pytest --horneross-sender=http://127.0.0.1:PORT
//
// The five calls, each a POST with a JSON object body, every one carrying the time the suite has frozen:
//
//	POST BASE/senders              {"now": T}                                      -> {"sender": S}
//	POST BASE/senders/S/subscribe  {"now": T, "url": U, "secret": K, "events": [E, ...] or null} -> {}
//	POST BASE/senders/S/emit       {"now": T, "type": E, "data": {...}}             -> {"id": "evt_..."}
//	POST BASE/senders/S/run-due    {"now": T}                                      -> {}
//	POST BASE/senders/S/close      {}                                              -> {}
//
// The trap is in emit's data. encoding/json reads a string holding a lone surrogate ("\ud83d", a message cut in
// the middle of an emoji) as U+FFFD, and a JSON object into a map, which forgets the order of its keys: a harness
// that decodes data that way delivers other text than the suite emitted, and fails SND-01. So data is kept as the
// bytes that came (json.RawMessage) and read with the kit's own decoder, encoder.Parse, which keeps both; the
// dispatcher serializes it with encoder.Stringify. The other fields are plain strings, read with encoding/json.
//
// Every request is checked (a JSON object body of at most 1 MiB, now as RFC 3339 UTC with milliseconds and never
// earlier than the last one for the same S, the fields' types), and a failing call is answered with
// {"error": "one sentence"}, a fixed sentence that never repeats the request, so a secret cannot leak through it.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"horneross-conformance.invalid/kits/go/encoder"
	"horneross-conformance.invalid/kits/go/webhooks"
)

const maxRequestBytes = 1 << 20

var (
	nowPattern    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	senderPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)
)

// request holds the fields of every call; a call reads those it needs.
type request struct {
	Now    *string         `json:"now"`
	URL    *string         `json:"url"`
	Secret *string         `json:"secret"`
	Events *[]string       `json:"events"` // nil: absent or null, every event type
	Type   *string         `json:"type"`
	Data   json.RawMessage `json:"data"` // the bytes as they came: see the package comment
}

// callError is a failed call: its status and the sentence of its {"error": ...} answer.
type callError struct {
	status   int
	sentence string
}

func (e *callError) Error() string { return e.sentence }

func refuse(status int, sentence string) error { return &callError{status, sentence} }

type sender struct {
	dispatcher *webhooks.Dispatcher
	last       time.Time // the latest now it was given
}

type harness struct {
	newDispatcher func() *webhooks.Dispatcher
	base          string
	mu            sync.Mutex
	senders       map[string]*sender
}

func parseNow(value *string) (time.Time, error) {
	if value == nil || !nowPattern.MatchString(*value) {
		return time.Time{}, refuse(400, "now must be an RFC 3339 UTC time with milliseconds, such as 2026-12-01T12:00:00.000Z.")
	}
	now, err := time.Parse("2006-01-02T15:04:05.000Z", *value)
	if err != nil {
		return time.Time{}, refuse(400, "now is not a valid calendar time.")
	}
	return now, nil
}

// advance moves the sender's clock to now, which never goes back for one S.
func (h *harness) advance(s *sender, value *string) (time.Time, error) {
	now, err := parseNow(value)
	if err != nil {
		return now, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Before(s.last) {
		return now, refuse(400, "now is earlier than a now this sender was given before.")
	}
	s.last = now
	return now, nil
}

func (h *harness) create(body *request) (any, error) {
	now, err := parseNow(body.Now)
	if err != nil {
		return nil, err
	}
	random := make([]byte, 9)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	id := "s-" + hex.EncodeToString(random)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.senders[id] = &sender{dispatcher: h.newDispatcher(), last: now}
	return map[string]string{"sender": id}, nil
}

func (h *harness) call(id, name string, body *request) (any, error) {
	h.mu.Lock()
	s := h.senders[id]
	h.mu.Unlock()
	if s == nil {
		return nil, refuse(404, "there is no such sender: create one with POST BASE/senders.")
	}
	switch name {
	case "subscribe":
		if body.URL == nil || !isHTTPURL(*body.URL) {
			return nil, refuse(400, "url must be an http or https URL.")
		}
		if body.Secret == nil {
			return nil, refuse(400, "secret must be a string.")
		}
		var events []string
		if body.Events != nil {
			events = *body.Events
		}
		if _, err := h.advance(s, body.Now); err != nil {
			return nil, err
		}
		s.dispatcher.Subscribe(*body.URL, *body.Secret, events)
		return struct{}{}, nil
	case "emit":
		if body.Type == nil || *body.Type == "" {
			return nil, refuse(400, "type must be a non-empty string.")
		}
		data, err := encoder.Parse(body.Data) // not encoding/json: key order and lone surrogates are kept
		if _, isObject := data.(*encoder.Object); err != nil || !isObject {
			return nil, refuse(400, "data must be a JSON object.")
		}
		now, err := h.advance(s, body.Now)
		if err != nil {
			return nil, err
		}
		id, err := s.dispatcher.Emit(*body.Type, data, now)
		if err != nil {
			return nil, err
		}
		return map[string]string{"id": id}, nil
	case "run-due":
		now, err := h.advance(s, body.Now)
		if err != nil {
			return nil, err
		}
		s.dispatcher.RunDue(now)
		return struct{}{}, nil
	default: // close; now is optional here, but checked when given
		if body.Now != nil {
			if _, err := parseNow(body.Now); err != nil {
				return nil, err
			}
		}
		h.mu.Lock()
		delete(h.senders, id)
		h.mu.Unlock()
		return struct{}{}, nil
	}
}

func isHTTPURL(value string) bool {
	u, err := url.Parse(value)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// route splits a path into the call it names: ("", "") for POST BASE/senders, (S, call) for the others.
func (h *harness) route(path string) (id, name string, ok bool) {
	if !strings.HasPrefix(path, h.base+"/") {
		return "", "", false
	}
	parts := strings.Split(strings.TrimPrefix(path, h.base+"/"), "/")
	if len(parts) == 1 && parts[0] == "senders" {
		return "", "", true
	}
	if len(parts) == 3 && parts[0] == "senders" && senderPattern.MatchString(parts[1]) {
		switch parts[2] {
		case "subscribe", "emit", "run-due", "close":
			return parts[1], parts[2], true
		}
	}
	return "", "", false
}

func (h *harness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	answer, err := h.handle(w, r)
	status := http.StatusOK
	if err != nil {
		var refused *callError
		if errors.As(err, &refused) {
			status, answer = refused.status, map[string]string{"error": refused.sentence}
		} else { // the dispatcher failed: details on stderr only, they may hold anything
			log.Printf("the dispatcher failed: %v", err)
			status, answer = 500, map[string]string{"error": "the dispatcher failed; its error is on the harness's stderr."}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "POST")
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(answer) // plain ASCII answers: encoding/json is fine here
}

func (h *harness) handle(w http.ResponseWriter, r *http.Request) (any, error) {
	id, name, ok := h.route(r.URL.Path)
	if !ok {
		return nil, refuse(404, "not a call of the sender harness protocol.")
	}
	if r.Method != http.MethodPost {
		return nil, refuse(405, "every call of the sender harness protocol is a POST.")
	}
	if media := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]); !strings.EqualFold(media, "application/json") {
		return nil, refuse(400, "the request must have Content-Type: application/json.")
	}
	var body request
	decoder := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err := decoder.Decode(&body); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, refuse(413, "the request body is larger than 1 MiB.")
		}
		return nil, refuse(400, "the request body must be a JSON object with the call's fields.")
	}
	if name == "" {
		return h.create(&body)
	}
	return h.call(id, name, &body)
}

func main() {
	host := flag.String("host", "127.0.0.1", "the address to listen on")
	port := flag.Int("port", 0, "the port to listen on (0: any free port)")
	base := flag.String("base", "", "the base path of the calls, such as /harness")
	timeout := flag.Float64("delivery-timeout", 10, "seconds to wait for an endpoint's answer (keep it short for the suite)")
	flag.Parse()
	if *timeout <= 0 {
		fmt.Fprintln(os.Stderr, "-delivery-timeout must be a positive number of seconds.")
		os.Exit(2)
	}
	delivery := time.Duration(*timeout * float64(time.Second))
	h := &harness{
		newDispatcher: func() *webhooks.Dispatcher { return webhooks.New(delivery) }, // your dispatcher here
		base:          "/" + strings.Trim(*base, "/"),
		senders:       map[string]*sender{},
	}
	if h.base == "/" {
		h.base = ""
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot listen:", err)
		os.Exit(1)
	}
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port) // the first line: where to point the suite
	server := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second}
	log.Fatal(server.Serve(listener))
}

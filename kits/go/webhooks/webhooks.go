// Package webhooks is a reference Horneross webhook dispatcher in Go: small, conformant, and meant to be read. The
// harness in ../sender serves it through the sender harness protocol, so that the conformance suite can certify it;
// put your own dispatcher in its place.
//
// What it does, and why (docs/contract.md):
//
//  1. Subscribe registers an endpoint with its own secret and its selection of event types (nil: all of them).
//  2. Emit builds the event once: an evt_ id, the type, the timestamp of now (RFC 3339 UTC) and the data, in that
//     key order. It serializes it once with the encoder package, which writes exactly what JSON.stringify writes,
//     and signs those bytes once per endpoint. Every attempt sends these very bytes with this signature, so retries
//     are identical to the first attempt (decisions 3 and 4).
//  3. RunDue makes every attempt due at or before now, in parallel, and returns when all are done. Success is
//     exactly HTTP 200; anything else is a failure: another 2xx, a redirect (never followed), 4xx, 5xx, no answer
//     within the delivery timeout, a refused connection. After a failure the next attempt is due 1 min, 5 min,
//     30 min, then 2 h later, counted from that failure (the now of the RunDue that made the attempt). After the
//     fifth attempt there is no other (decisions 1 and 2).
//  4. Time is explicit: every call takes now, so a test can move it from due time to due time, while the delivery
//     timeout stays real time.
//
// What a production dispatcher adds: a persistent outbox (pending deliveries here live in memory), and metrics.
package webhooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"time"

	"horneross-conformance.invalid/kits/go/encoder"
)

// SignatureHeader carries the lowercase hex HMAC-SHA256 of the body, keyed with the endpoint's secret.
const SignatureHeader = "X-Horneross-Signature"

// RetryDelays are the waits after attempts 1, 2, 3 and 4 fail; there are five attempts in all.
var RetryDelays = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

const maxAnswerBytes = 64 << 10 // of an endpoint's answer only the status matters: read this much at most

type subscription struct {
	url, secret string
	events      map[string]bool // nil: every event type
}

type delivery struct {
	to        *subscription
	body      []byte // the bytes signed, sent on every attempt
	signature string
	due       time.Time
	attempts  int
	inFlight  bool
}

// Dispatcher delivers events to its subscribers and retries failed deliveries on Horneross's schedule.
type Dispatcher struct {
	client *http.Client

	mu            sync.Mutex
	subscriptions []*subscription
	pending       []*delivery
}

// New returns a dispatcher that waits deliveryTimeout (real time) for each answer.
func New(deliveryTimeout time.Duration) *Dispatcher {
	return &Dispatcher{client: &http.Client{
		Timeout: deliveryTimeout, // the whole attempt: connecting, sending, the status line
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is a failure to retry, never followed
		},
		Transport: &http.Transport{DisableKeepAlives: true}, // one connection per attempt; no proxy
	}}
}

// Subscribe registers an endpoint; events nil means every event type.
func (d *Dispatcher) Subscribe(url, secret string, events []string) {
	s := &subscription{url: url, secret: secret}
	if events != nil {
		s.events = map[string]bool{}
		for _, e := range events {
			s.events[e] = true
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.subscriptions = append(d.subscriptions, s)
}

// Emit records an event that happened at now and queues one delivery per subscribed endpoint, due at once.
// data is the event's data as the encoder package holds it (a *encoder.Object, read with encoder.Parse).
func (d *Dispatcher) Emit(eventType string, data encoder.Value, now time.Time) (string, error) {
	random := make([]byte, 12)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	id := "evt_" + hex.EncodeToString(random)
	event := encoder.NewObject() // this key order, as documented
	event.Set("id", id)
	event.Set("type", eventType)
	event.Set("timestamp", now.UTC().Format("2006-01-02T15:04:05.000Z"))
	event.Set("data", data)
	body, err := encoder.Stringify(event) // once: exactly JSON.stringify's bytes, signed and sent as they are
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.subscriptions {
		if s.events == nil || s.events[eventType] {
			mac := hmac.New(sha256.New, []byte(s.secret))
			mac.Write(body)
			d.pending = append(d.pending, &delivery{to: s, body: body, signature: hex.EncodeToString(mac.Sum(nil)), due: now})
		}
	}
	return id, nil
}

// RunDue makes every attempt due at or before now, in parallel, and returns when they are all done.
func (d *Dispatcher) RunDue(now time.Time) {
	d.mu.Lock()
	var due []*delivery
	for _, p := range d.pending {
		if !p.inFlight && !p.due.After(now) {
			p.inFlight = true // a RunDue still running elsewhere does not attempt it twice at once
			due = append(due, p)
		}
	}
	d.mu.Unlock()

	statuses := make([]int, len(due))
	var wg sync.WaitGroup
	for i, p := range due {
		wg.Add(1)
		go func(i int, p *delivery) {
			defer wg.Done()
			statuses[i] = d.post(p)
		}(i, p)
	}
	wg.Wait()

	d.mu.Lock()
	defer d.mu.Unlock()
	for i, p := range due {
		p.inFlight = false
		p.attempts++
		if statuses[i] == http.StatusOK || p.attempts > len(RetryDelays) {
			d.remove(p)
		} else {
			p.due = now.Add(RetryDelays[p.attempts-1])
		}
	}
}

func (d *Dispatcher) remove(done *delivery) {
	for i, p := range d.pending {
		if p == done {
			d.pending = append(d.pending[:i], d.pending[i+1:]...)
			return
		}
	}
}

// post makes one attempt and returns the answer's status, or 0 when none came.
func (d *Dispatcher) post(p *delivery) int {
	request, err := http.NewRequest(http.MethodPost, p.to.url, bytes.NewReader(p.body))
	if err != nil {
		return 0
	}
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set(SignatureHeader, p.signature)
	response, err := d.client.Do(request)
	if err != nil {
		return 0 // refused, reset, timed out: a failure, retried on schedule
	}
	defer response.Body.Close()
	io.Copy(io.Discard, io.LimitReader(response.Body, maxAnswerBytes)) // the status stands, whatever the body does
	return response.StatusCode
}

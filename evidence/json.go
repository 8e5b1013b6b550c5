package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/internal/zone"
)

// The JSON form differs from the Go form in two ways, so that programs in
// any language read it without knowing Go's conventions: durations are
// seconds (fields named "…_seconds"), not nanoseconds; rates that cannot
// be computed are null, not negative. The types below marshal and
// unmarshal accordingly, so that a Report read back from its JSON is the
// Report that was written.

// WriteJSON writes the report as indented JSON with stable field names
// (see the package documentation, "JSON"). Texts are exact: a control or
// bidirectional formatting character is written as a \u escape, so the
// raw bytes hold nothing that a terminal obeys; a program that shows the
// texts to people must escape them itself.
func (rep *Assessment) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(emptyLists(reflect.ValueOf(rep)).Interface()); err != nil {
		return fmt.Errorf("evidence: write JSON: %w", err)
	}
	if _, err := w.Write(safetext.JSON(buf.Bytes())); err != nil {
		return fmt.Errorf("evidence: write JSON: %w", err)
	}
	return nil
}

// emptyLists returns a copy of v in which every nil slice, at any depth
// of structs and slices, is an empty one, so that JSON writes a list with
// nothing in it as [] and never as null ("deviations": null once stood
// where other lists said []). v itself is not changed.
func emptyLists(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return v
		}
		p := reflect.New(v.Elem().Type())
		p.Elem().Set(emptyLists(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0)
		}
		k := v.Type().Elem().Kind()
		if k != reflect.Struct && k != reflect.Slice && k != reflect.Pointer {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(emptyLists(v.Index(i)))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && f.Tag.Get("json") != "-" && !strings.Contains(f.Tag.Get("json"), "omitempty") {
				out.Field(i).Set(emptyLists(v.Field(i)))
			}
		}
		return out
	}
	return v
}

// rateOut is a rate as JSON writes it: nil (null) when unknown.
func rateOut(r float64) *float64 {
	if r < 0 || math.IsNaN(r) {
		return nil
	}
	return &r
}

// rateIn is the Go form of a JSON rate: negative when unknown.
func rateIn(p *float64) float64 {
	if p == nil || *p < 0 {
		return -1
	}
	return *p
}

func secondsOut(d time.Duration) *float64 {
	s := d.Seconds()
	return &s
}

// maxSeconds is the longest time.Duration, in seconds.
const maxSeconds = float64(math.MaxInt64) / float64(time.Second)

func secondsIn(p *float64, field string) (time.Duration, error) {
	if p == nil {
		return 0, nil
	}
	if math.IsNaN(*p) || math.Abs(*p) > maxSeconds {
		return 0, fmt.Errorf("evidence: %s: %v seconds is out of range", field, *p)
	}
	return time.Duration(math.Round(*p * float64(time.Second))), nil
}

// MarshalJSON writes Delay as "delay_seconds", only for a late occurrence.
func (o Occurrence) MarshalJSON() ([]byte, error) {
	type plain Occurrence
	var delay *float64
	if o.Delay != 0 {
		delay = secondsOut(o.Delay)
	}
	return json.Marshal(struct {
		plain
		Delay *float64 `json:"delay_seconds,omitempty"`
	}{plain(o), delay})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Occurrence) UnmarshalJSON(b []byte) error {
	type plain Occurrence
	aux := struct {
		*plain
		Delay *float64 `json:"delay_seconds"`
	}{plain: (*plain)(o)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	o.Delay, err = secondsIn(aux.Delay, "delay_seconds")
	return err
}

// MarshalJSON writes the rates, null when unknown.
func (a AudienceRate) MarshalJSON() ([]byte, error) {
	type plain AudienceRate
	return json.Marshal(struct {
		plain
		ReachRate *float64 `json:"reach_rate"`
		AckRate   *float64 `json:"ack_rate"`
	}{plain(a), rateOut(a.ReachRate), rateOut(a.AckRate)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *AudienceRate) UnmarshalJSON(b []byte) error {
	type plain AudienceRate
	aux := struct {
		*plain
		ReachRate *float64 `json:"reach_rate"`
		AckRate   *float64 `json:"ack_rate"`
	}{plain: (*plain)(a)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.ReachRate, a.AckRate = rateIn(aux.ReachRate), rateIn(aux.AckRate)
	return nil
}

// MarshalJSON writes "elapsed_seconds" (null when not sent) and
// "allowed_seconds" (null without a deadline).
func (n Notification) MarshalJSON() ([]byte, error) {
	type plain Notification
	var elapsed, allowed *float64
	if !n.Sent.IsZero() {
		elapsed = secondsOut(n.Elapsed)
	}
	if !n.Due.IsZero() {
		allowed = secondsOut(n.Allowed)
	}
	return json.Marshal(struct {
		plain
		Elapsed *float64 `json:"elapsed_seconds"`
		Allowed *float64 `json:"allowed_seconds"`
	}{plain(n), elapsed, allowed})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (n *Notification) UnmarshalJSON(b []byte) error {
	type plain Notification
	aux := struct {
		*plain
		Elapsed *float64 `json:"elapsed_seconds"`
		Allowed *float64 `json:"allowed_seconds"`
	}{plain: (*plain)(n)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	if n.Elapsed, err = secondsIn(aux.Elapsed, "elapsed_seconds"); err != nil {
		return err
	}
	n.Allowed, err = secondsIn(aux.Allowed, "allowed_seconds")
	return err
}

// MarshalJSON writes "slowest_seconds", null when nothing was sent.
func (t Timeliness) MarshalJSON() ([]byte, error) {
	type plain Timeliness
	var slowest *float64
	if t.Sent() > 0 {
		slowest = secondsOut(t.Slowest)
	}
	return json.Marshal(struct {
		plain
		Slowest *float64 `json:"slowest_seconds"`
	}{plain(t), slowest})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *Timeliness) UnmarshalJSON(b []byte) error {
	type plain Timeliness
	aux := struct {
		*plain
		Slowest *float64 `json:"slowest_seconds"`
	}{plain: (*plain)(t)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	t.Slowest, err = secondsIn(aux.Slowest, "slowest_seconds")
	return err
}

// MarshalJSON writes the rates, null when unknown.
func (k KPIs) MarshalJSON() ([]byte, error) {
	type plain KPIs
	return json.Marshal(struct {
		plain
		OnTimeRate *float64 `json:"on_time_rate"`
		Coverage   *float64 `json:"coverage"`
	}{plain(k), rateOut(k.OnTimeRate), rateOut(k.Coverage)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (k *KPIs) UnmarshalJSON(b []byte) error {
	type plain KPIs
	aux := struct {
		*plain
		OnTimeRate *float64 `json:"on_time_rate"`
		Coverage   *float64 `json:"coverage"`
	}{plain: (*plain)(k)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	k.OnTimeRate, k.Coverage = rateIn(aux.OnTimeRate), rateIn(aux.Coverage)
	return nil
}

// MarshalJSON writes the coverage, null when unknown.
func (a ActivityKPI) MarshalJSON() ([]byte, error) {
	type plain ActivityKPI
	return json.Marshal(struct {
		plain
		Coverage *float64 `json:"coverage"`
	}{plain(a), rateOut(a.Coverage)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *ActivityKPI) UnmarshalJSON(b []byte) error {
	type plain ActivityKPI
	aux := struct {
		*plain
		Coverage *float64 `json:"coverage"`
	}{plain: (*plain)(a)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.Coverage = rateIn(aux.Coverage)
	return nil
}

// MarshalJSON writes the rates, null when unknown.
func (m Month) MarshalJSON() ([]byte, error) {
	type plain Month
	return json.Marshal(struct {
		plain
		OnTimeRate *float64 `json:"on_time_rate"`
		Coverage   *float64 `json:"coverage"`
	}{plain(m), rateOut(m.OnTimeRate), rateOut(m.Coverage)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Month) UnmarshalJSON(b []byte) error {
	type plain Month
	aux := struct {
		*plain
		OnTimeRate *float64 `json:"on_time_rate"`
		Coverage   *float64 `json:"coverage"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	m.OnTimeRate, m.Coverage = rateIn(aux.OnTimeRate), rateIn(aux.Coverage)
	return nil
}

// MarshalJSON writes "handling_seconds".
func (it FeedbackItem) MarshalJSON() ([]byte, error) {
	type plain FeedbackItem
	return json.Marshal(struct {
		plain
		Handling *float64 `json:"handling_seconds"`
	}{plain(it), secondsOut(it.Handling)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (it *FeedbackItem) UnmarshalJSON(b []byte) error {
	type plain FeedbackItem
	aux := struct {
		*plain
		Handling *float64 `json:"handling_seconds"`
	}{plain: (*plain)(it)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	it.Handling, err = secondsIn(aux.Handling, "handling_seconds")
	return err
}

// MarshalJSON writes the satisfaction (null when nothing was scored) and
// the handling times in seconds (the mean null when nothing was handled,
// the longest null when nothing was received).
func (c FeedbackCounts) MarshalJSON() ([]byte, error) {
	type plain FeedbackCounts
	var mean, longest *float64
	if c.Handled > 0 {
		mean = secondsOut(c.MeanHandling)
	}
	if c.Received > 0 {
		longest = secondsOut(c.Longest)
	}
	return json.Marshal(struct {
		plain
		Satisfaction *float64 `json:"satisfaction"`
		Mean         *float64 `json:"mean_handling_seconds"`
		Longest      *float64 `json:"longest_handling_seconds"`
	}{plain(c), rateOut(c.Satisfaction), mean, longest})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *FeedbackCounts) UnmarshalJSON(b []byte) error {
	type plain FeedbackCounts
	aux := struct {
		*plain
		Satisfaction *float64 `json:"satisfaction"`
		Mean         *float64 `json:"mean_handling_seconds"`
		Longest      *float64 `json:"longest_handling_seconds"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	c.Satisfaction = rateIn(aux.Satisfaction)
	var err error
	if c.MeanHandling, err = secondsIn(aux.Mean, "mean_handling_seconds"); err != nil {
		return err
	}
	c.Longest, err = secondsIn(aux.Longest, "longest_handling_seconds")
	return err
}

// MarshalJSON writes the group with its counts inline (FeedbackCounts'
// own MarshalJSON would otherwise stand for the whole group).
func (g FeedbackGroup) MarshalJSON() ([]byte, error) {
	counts, err := json.Marshal(g.FeedbackCounts)
	if err != nil {
		return nil, err
	}
	head, err := json.Marshal(struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}{g.Key, g.Name})
	if err != nil {
		return nil, err
	}
	// {"key":..,"name":..} + {counts...}: one object.
	return append(append(head[:len(head)-1], ','), counts[1:]...), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (g *FeedbackGroup) UnmarshalJSON(b []byte) error {
	var head struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	g.Key, g.Name = head.Key, head.Name
	return json.Unmarshal(b, &g.FeedbackCounts)
}

// MarshalJSON writes the value as "value" (a rate or a score) or
// "value_seconds" (a duration), null for a period without data.
func (p ObjectivePeriod) MarshalJSON() ([]byte, error) {
	type plain ObjectivePeriod
	var v *float64
	if p.Status != ObjectiveNoData {
		if p.duration {
			v = secondsOut(p.Duration)
		} else {
			x := p.Value
			v = &x
		}
	}
	if p.duration {
		return json.Marshal(struct {
			plain
			Secs *float64 `json:"value_seconds"`
		}{plain(p), v})
	}
	return json.Marshal(struct {
		plain
		Value *float64 `json:"value"`
	}{plain(p), v})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *ObjectivePeriod) UnmarshalJSON(b []byte) error {
	type plain ObjectivePeriod
	aux := struct {
		*plain
		Value *float64         `json:"value"`
		Secs  *json.RawMessage `json:"value_seconds"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	if aux.Value != nil {
		p.Value = *aux.Value
	}
	if aux.Secs != nil {
		p.duration = true
		var s *float64
		if err := json.Unmarshal(*aux.Secs, &s); err != nil {
			return fmt.Errorf("evidence: value_seconds: %w", err)
		}
		var err error
		if p.Duration, err = secondsIn(s, "value_seconds"); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalJSON reads what WriteJSON writes; the report's zone comes from
// its "timezone" (UTC when absent or unknown), so that a report read back
// renders as the one written.
func (rep *Assessment) UnmarshalJSON(b []byte) error {
	type plain Assessment
	if err := json.Unmarshal(b, (*plain)(rep)); err != nil {
		return err
	}
	rep.loc = time.UTC
	if loc, err := zone.Load(rep.TimeZone); err == nil {
		rep.loc = loc
	}
	return nil
}

package driver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// EncodePlan validates p for saving (see [CheckPlan]) and returns its
// stored form: the plan as compact JSON, as encoding/json writes it
// without HTML escaping. Every store of this module keeps plans in this
// form, and checks them through this function, so that all of them accept
// exactly the same plans.
//
// The stored form is limited to store.MaxStoredPlan bytes: a larger one
// fails with store.ErrInvalid naming its size and the limit. The limit is
// on the stored form, not on the file the plan came from: YAML is often
// smaller than the same plan in JSON, so a plan file under
// comms.MaxPlanSize can still be refused here. Compact JSON (rather than
// comms.EncodeJSON's indented form, which nests activities four levels
// deep and is about 1.6 times larger) keeps that margin small.
func EncodePlan(p comms.Plan) ([]byte, error) {
	if err := CheckPlan(p); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("store: encode plan %q: %w", p.ID, err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(body) > store.MaxStoredPlan {
		return nil, invalid("plan %q: its stored form (compact JSON) is %d bytes (%s), over the limit of %d bytes (%s, comms.MaxPlanSize) that a store reads back; split the plan or shorten its texts",
			p.ID, len(body), mib(len(body)), store.MaxStoredPlan, mib(store.MaxStoredPlan))
	}
	return body, nil
}

func mib(n int) string {
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}

// DecodePlan decodes a plan's stored form: what [EncodePlan] writes, or
// the indented JSON of comms.EncodeJSON, which earlier versions stored. It
// is strict about form (one JSON object, no unknown fields, at most
// store.MaxStoredPlan bytes; field names match as encoding/json matches
// them, ignoring case) and linear in the size of body.
//
// It does not validate the plan again. The plan was validated when it was
// saved; validating it again would make every read pay for it, and would
// make a version saved under one release unreadable under a later release
// whose validation is stricter. Validate it (comms.Plan.Validate,
// matrix.Check) where that matters. Stored plans are not tamper-evident:
// see the store package's documentation.
func DecodePlan(body []byte) (comms.Plan, error) {
	if len(body) > store.MaxStoredPlan {
		return comms.Plan{}, fmt.Errorf("store: stored plan is %d bytes, over the limit of %d", len(body), store.MaxStoredPlan)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var p comms.Plan
	if err := dec.Decode(&p); err != nil {
		return comms.Plan{}, fmt.Errorf("store: stored plan: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return comms.Plan{}, fmt.Errorf("store: stored plan: data after the plan")
	}
	return p, nil
}

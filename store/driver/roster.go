package driver

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// CheckRoster validates a roster for saving: a store.ErrInvalid error
// wrapping its *comms.RosterError, or nil. Stakeholder IDs are not checked
// against a plan: a tenant's plans may change after its roster is saved.
// ([EncodeRoster] calls it.)
func CheckRoster(r comms.Roster) error {
	if err := r.Validate(nil); err != nil {
		return fmt.Errorf("%w: roster %q: %w", store.ErrInvalid, r.ID, err)
	}
	return nil
}

// EncodeRoster validates r for saving (see [CheckRoster]) and returns its
// stored form: compact JSON without HTML escaping, at most
// store.MaxStoredRoster bytes (a larger one fails with store.ErrInvalid).
// Every store of this module keeps rosters in this form.
func EncodeRoster(r comms.Roster) ([]byte, error) {
	if err := CheckRoster(r); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("store: encode roster %q: %w", r.ID, err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(body) > store.MaxStoredRoster {
		return nil, invalid("roster %q: its stored form is %d bytes (%s), over the limit of %d bytes (%s)", r.ID, len(body), mib(len(body)), store.MaxStoredRoster, mib(store.MaxStoredRoster))
	}
	return body, nil
}

// DecodeRoster decodes a roster's stored form, as [EncodeRoster] writes
// it: one JSON object, no unknown fields, at most store.MaxStoredRoster
// bytes. Like [DecodePlan] it does not validate again. Stored rosters, like
// plans, are not tamper-evident.
func DecodeRoster(body []byte) (comms.Roster, error) {
	if len(body) > store.MaxStoredRoster {
		return comms.Roster{}, fmt.Errorf("store: stored roster is %d bytes, over the limit of %d", len(body), store.MaxStoredRoster)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r comms.Roster
	if err := dec.Decode(&r); err != nil {
		return comms.Roster{}, fmt.Errorf("store: stored roster: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return comms.Roster{}, fmt.Errorf("store: stored roster: data after the roster")
	}
	return r, nil
}

// OpenStoredRoster decodes the stored form of version number of the
// roster id and checks that it holds that roster: a store.ErrCorrupt
// error if the body names another.
func OpenStoredRoster(id string, number int, body []byte) (comms.Roster, error) {
	r, err := DecodeRoster(body)
	if err != nil {
		return r, fmt.Errorf("stored roster %s version %d: %w", id, number, err)
	}
	if r.ID != id {
		return r, fmt.Errorf("%w: stored roster %s version %d holds roster %q", store.ErrCorrupt, id, number, r.ID)
	}
	return r, nil
}

// SortRosters sorts roster versions by roster ID in byte order, as
// store.RosterStore's Rosters yields them.
func SortRosters(vs []store.RosterVersion) {
	slices.SortFunc(vs, func(a, b store.RosterVersion) int { return cmp.Compare(a.RosterID, b.RosterID) })
}

// CloneRoster deep-copies a roster, for a store that keeps values.
func CloneRoster(r comms.Roster) comms.Roster {
	r.People = slices.Clone(r.People)
	for i := range r.People {
		r.People[i].Stakeholders = slices.Clone(r.People[i].Stakeholders)
	}
	return r
}

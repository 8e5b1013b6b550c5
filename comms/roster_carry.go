package comms

import "time"

// Carry returns r, an import that is a full snapshot of a source taken on
// day, merged with the history that prev (the roster's previous version)
// holds, so that the latest version of a roster answers for the past too:
//
//   - a person of prev that r no longer lists has left: they are kept,
//     with Until the day before day (unless they had already left
//     before); one whose From is day or later never joined and is dropped;
//   - a person r lists whom prev did not has joined: with no From of
//     their own, From becomes day (when prev is empty, the first import,
//     nobody's From is set: the roster does not know since when they
//     belong);
//   - a person in both keeps r's fields, with prev's From where r gives
//     none.
//
// People r lists come first, in r's order, then those who left, in
// prev's; the result's AsOf is day. A roster keeps one span of days per
// person: a membership with a gap is not represented (a person who comes
// back counts as a member throughout), nor a change of groups (a person
// who moves counts in the new groups from their first day, in answers
// about the past too). A snapshot older than prev's (day before
// prev.AsOf) would rewrite what prev knew: the caller refuses it. r and
// prev are not modified.
func (r Roster) Carry(prev Roster, day Date) Roster {
	before := make(map[string]Person, len(prev.People))
	for _, p := range prev.People {
		before[p.ID] = p
	}
	listed := make(map[string]bool, len(r.People))
	out := Roster{ID: r.ID, People: make([]Person, 0, len(r.People)), AsOf: day}
	for _, p := range r.People {
		listed[p.ID] = true
		if old, ok := before[p.ID]; ok {
			if p.From.IsZero() {
				p.From = old.From
			}
		} else if p.From.IsZero() && len(prev.People) > 0 {
			p.From = day
		}
		out.People = append(out.People, p)
	}
	yesterday := DateOf(day.In(time.UTC).AddDate(0, 0, -1))
	for _, p := range prev.People {
		if listed[p.ID] {
			continue
		}
		if !p.From.IsZero() && !p.From.Before(day) {
			continue // never joined
		}
		if p.Until.IsZero() || p.Until.After(yesterday) {
			p.Until = yesterday
		}
		out.People = append(out.People, p)
	}
	return out
}

package schedule_test

// The examples of RFC 5545 §3.8.5.3 ("Recurrence Rule"), transcribed from
// the RFC text: each example's DTSTART, RRULE (and EXDATE) exactly as the RFC
// writes them, folded lines included, and the occurrences the RFC lists
// after "==>", expanded by hand into one wall time per occurrence. Nothing
// here is computed by the code under test.
//
// All examples are in America/New_York ("All examples assume the Eastern
// United States time zone"). The RFC annotates each group of dates with EDT
// or EST; the tests compare instants and check each occurrence's zone
// abbreviation and UTC offset against that annotation.
//
// Examples that have two RRULE variants joined by "or" ("Every day in
// January, for 3 years", "Weekly on Tuesday and Thursday for five weeks")
// are tested once per variant. For examples that go on forever, the tests
// compare the occurrences the RFC lists, up to the last one listed.
//
// Examples the library does not support, because it recurs at most daily
// (FREQ=HOURLY, MINUTELY and SECONDLY are rejected by Parse); see
// TestRFC5545Unsupported, which checks that Parse rejects each of them:
//
//   - "Every 3 hours from 9:00 AM to 5:00 PM on a specific day"
//     (FREQ=HOURLY;INTERVAL=3). The RFC as published says
//     UNTIL=19970902T170000Z, which is 1:00 PM EDT and so contradicts the
//     listed 09:00,12:00,15:00; verified erratum EID 3883 corrects it to
//     UNTIL=19970902T210000Z. The test uses the corrected text.
//   - "Every 15 minutes for 6 occurrences" (FREQ=MINUTELY;INTERVAL=15).
//   - "Every hour and a half for 4 occurrences" (FREQ=MINUTELY;INTERVAL=90).
//   - "Every 20 minutes from 9:00 AM to 4:40 PM every day", second variant
//     only: FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,...,16.
//
// The first variant of that last example,
// FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40, gives
// 8 × 3 = 24 times a day, exactly the library's limit of 24, so it is
// supported and tested in TestRFC5545Examples. No RFC example exceeds the
// 24-times-a-day limit.
//
// Errata: besides EID 3883 above, no verified erratum changes an example
// tested here. EID 6212 (which would have moved the "until December 24,
// 1997" examples to UNTIL=19971224T140000Z and added December 24) was
// rejected, so those examples keep UNTIL=19971224T000000Z and end on
// December 23 as the RFC lists. The WKST example ("August 5,10,19,24" with
// WKST=MO, "August 5,17,19,31" with WKST=SU) is correct as published: with
// WKST=SU the week of August 3-9 holds Sunday August 3 (before DTSTART) and
// Tuesday August 5, the next week of the period is August 17-23, then
// August 31-September 6.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/schedule"
)

// rfcOcc is one occurrence as the RFC lists it: a wall time in
// America/New_York and the zone the RFC annotates it with.
type rfcOcc struct {
	wall string // "2006-01-02 15:04"
	zone string // "EDT" or "EST"
}

// on lists days of one month at 9:00 AM (the time of every dated RFC
// example), in the zone the RFC annotates them with. month is "YYYY-MM".
func on(zone, month string, days ...int) []rfcOcc {
	out := make([]rfcOcc, len(days))
	for i, d := range days {
		out[i] = rfcOcc{wall: fmt.Sprintf("%s-%02d 09:00", month, d), zone: zone}
	}
	return out
}

// at lists times of one day ("YYYY-MM-DD"), for the example with several
// times a day.
func at(zone, date string, clocks ...string) []rfcOcc {
	out := make([]rfcOcc, len(clocks))
	for i, c := range clocks {
		out[i] = rfcOcc{wall: date + " " + c, zone: zone}
	}
	return out
}

type rfcExample struct {
	title string // the RFC's title of the example
	rule  string // DTSTART, RRULE (and EXDATE) lines, as the RFC gives them
	// forever is true for a rule with neither COUNT nor UNTIL: the RFC lists
	// the first occurrences and then "...", and only those are compared.
	forever bool
	want    []rfcOcc
}

var rfc5545Examples = []rfcExample{
	{
		title: "Daily for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=DAILY;COUNT=10",
		// ==> (1997 9:00 AM EDT) September 2-11
		want: on("EDT", "1997-09", 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
	},
	{
		title: "Daily until December 24, 1997",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=DAILY;UNTIL=19971224T000000Z",
		// ==> (1997 9:00 AM EDT) September 2-30;October 1-25
		//     (1997 9:00 AM EST) October 26-31;November 1-30;December 1-23
		want: slices.Concat(
			on("EDT", "1997-09", 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30),
			on("EDT", "1997-10", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				16, 17, 18, 19, 20, 21, 22, 23, 24, 25),
			on("EST", "1997-10", 26, 27, 28, 29, 30, 31),
			on("EST", "1997-11", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30),
			on("EST", "1997-12", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				16, 17, 18, 19, 20, 21, 22, 23),
		),
	},
	{
		title: "Every other day - forever",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=DAILY;INTERVAL=2",
		forever: true,
		// ==> (1997 9:00 AM EDT) September 2,4,6,8...24,26,28,30;
		//                        October 2,4,6...20,22,24
		//     (1997 9:00 AM EST) October 26,28,30;
		//                        November 1,3,5,7...25,27,29;
		//                        December 1,3,...
		want: slices.Concat(
			on("EDT", "1997-09", 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
			on("EDT", "1997-10", 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24),
			on("EST", "1997-10", 26, 28, 30),
			on("EST", "1997-11", 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29),
			on("EST", "1997-12", 1, 3),
		),
	},
	{
		title: "Every 10 days, 5 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5",
		// ==> (1997 9:00 AM EDT) September 2,12,22;
		//                        October 2,12
		want: slices.Concat(
			on("EDT", "1997-09", 2, 12, 22),
			on("EDT", "1997-10", 2, 12),
		),
	},
	{
		title: "Every day in January, for 3 years (FREQ=YEARLY)",
		rule: "DTSTART;TZID=America/New_York:19980101T090000\n" +
			"\n" +
			"RRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;\n" +
			" BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
		// ==> (1998 9:00 AM EST)January 1-31
		//     (1999 9:00 AM EST)January 1-31
		//     (2000 9:00 AM EST)January 1-31
		want: slices.Concat(
			on("EST", "1998-01", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31),
			on("EST", "1999-01", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31),
			on("EST", "2000-01", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31),
		),
	},
	{
		title: "Every day in January, for 3 years (FREQ=DAILY)",
		rule: "DTSTART;TZID=America/New_York:19980101T090000\n" +
			"\n" +
			"RRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
		// ==> (1998 9:00 AM EST)January 1-31
		//     (1999 9:00 AM EST)January 1-31
		//     (2000 9:00 AM EST)January 1-31
		want: slices.Concat(
			on("EST", "1998-01", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31),
			on("EST", "1999-01", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31),
			on("EST", "2000-01", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31),
		),
	},
	{
		title: "Weekly for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=WEEKLY;COUNT=10",
		// ==> (1997 9:00 AM EDT) September 2,9,16,23,30;October 7,14,21
		//     (1997 9:00 AM EST) October 28;November 4
		want: slices.Concat(
			on("EDT", "1997-09", 2, 9, 16, 23, 30),
			on("EDT", "1997-10", 7, 14, 21),
			on("EST", "1997-10", 28),
			on("EST", "1997-11", 4),
		),
	},
	{
		title: "Weekly until December 24, 1997",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=WEEKLY;UNTIL=19971224T000000Z",
		// ==> (1997 9:00 AM EDT) September 2,9,16,23,30;
		//                        October 7,14,21
		//     (1997 9:00 AM EST) October 28;
		//                        November 4,11,18,25;
		//                        December 2,9,16,23
		want: slices.Concat(
			on("EDT", "1997-09", 2, 9, 16, 23, 30),
			on("EDT", "1997-10", 7, 14, 21),
			on("EST", "1997-10", 28),
			on("EST", "1997-11", 4, 11, 18, 25),
			on("EST", "1997-12", 2, 9, 16, 23),
		),
	},
	{
		title: "Every other week - forever",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU",
		forever: true,
		// ==> (1997 9:00 AM EDT) September 2,16,30;
		//                        October 14
		//     (1997 9:00 AM EST) October 28;
		//                        November 11,25;
		//                        December 9,23
		//     (1998 9:00 AM EST) January 6,20;
		//                        February 3, 17
		//     ...
		want: slices.Concat(
			on("EDT", "1997-09", 2, 16, 30),
			on("EDT", "1997-10", 14),
			on("EST", "1997-10", 28),
			on("EST", "1997-11", 11, 25),
			on("EST", "1997-12", 9, 23),
			on("EST", "1998-01", 6, 20),
			on("EST", "1998-02", 3, 17),
		),
	},
	{
		title: "Weekly on Tuesday and Thursday for five weeks (UNTIL)",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
		// ==> (1997 9:00 AM EDT) September 2,4,9,11,16,18,23,25,30;
		//                        October 2
		want: slices.Concat(
			on("EDT", "1997-09", 2, 4, 9, 11, 16, 18, 23, 25, 30),
			on("EDT", "1997-10", 2),
		),
	},
	{
		title: "Weekly on Tuesday and Thursday for five weeks (COUNT)",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
		// ==> (1997 9:00 AM EDT) September 2,4,9,11,16,18,23,25,30;
		//                        October 2
		want: slices.Concat(
			on("EDT", "1997-09", 2, 4, 9, 11, 16, 18, 23, 25, 30),
			on("EDT", "1997-10", 2),
		),
	},
	{
		title: "Every other week on Monday, Wednesday, and Friday until December 24, 1997, starting on Monday, September 1, 1997",
		rule: "DTSTART;TZID=America/New_York:19970901T090000\n" +
			"RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;\n" +
			" BYDAY=MO,WE,FR",
		// ==> (1997 9:00 AM EDT) September 1,3,5,15,17,19,29;
		//                        October 1,3,13,15,17
		//     (1997 9:00 AM EST) October 27,29,31;
		//                        November 10,12,14,24,26,28;
		//                        December 8,10,12,22
		want: slices.Concat(
			on("EDT", "1997-09", 1, 3, 5, 15, 17, 19, 29),
			on("EDT", "1997-10", 1, 3, 13, 15, 17),
			on("EST", "1997-10", 27, 29, 31),
			on("EST", "1997-11", 10, 12, 14, 24, 26, 28),
			on("EST", "1997-12", 8, 10, 12, 22),
		),
	},
	{
		title: "Every other week on Tuesday and Thursday, for 8 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
		// ==> (1997 9:00 AM EDT) September 2,4,16,18,30;
		//                        October 2,14,16
		want: slices.Concat(
			on("EDT", "1997-09", 2, 4, 16, 18, 30),
			on("EDT", "1997-10", 2, 14, 16),
		),
	},
	{
		title: "Monthly on the first Friday for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970905T090000\n" +
			"RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
		// ==> (1997 9:00 AM EDT) September 5;October 3
		//     (1997 9:00 AM EST) November 7;December 5
		//     (1998 9:00 AM EST) January 2;February 6;March 6;April 3
		//     (1998 9:00 AM EDT) May 1;June 5
		want: slices.Concat(
			on("EDT", "1997-09", 5),
			on("EDT", "1997-10", 3),
			on("EST", "1997-11", 7),
			on("EST", "1997-12", 5),
			on("EST", "1998-01", 2),
			on("EST", "1998-02", 6),
			on("EST", "1998-03", 6),
			on("EST", "1998-04", 3),
			on("EDT", "1998-05", 1),
			on("EDT", "1998-06", 5),
		),
	},
	{
		title: "Monthly on the first Friday until December 24, 1997",
		rule: "DTSTART;TZID=America/New_York:19970905T090000\n" +
			"RRULE:FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
		// ==> (1997 9:00 AM EDT) September 5; October 3
		//     (1997 9:00 AM EST) November 7; December 5
		want: slices.Concat(
			on("EDT", "1997-09", 5),
			on("EDT", "1997-10", 3),
			on("EST", "1997-11", 7),
			on("EST", "1997-12", 5),
		),
	},
	{
		title: "Every other month on the first and last Sunday of the month for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970907T090000\n" +
			"RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
		// ==> (1997 9:00 AM EDT) September 7,28
		//     (1997 9:00 AM EST) November 2,30
		//     (1998 9:00 AM EST) January 4,25;March 1,29
		//     (1998 9:00 AM EDT) May 3,31
		want: slices.Concat(
			on("EDT", "1997-09", 7, 28),
			on("EST", "1997-11", 2, 30),
			on("EST", "1998-01", 4, 25),
			on("EST", "1998-03", 1, 29),
			on("EDT", "1998-05", 3, 31),
		),
	},
	{
		title: "Monthly on the second-to-last Monday of the month for 6 months",
		rule: "DTSTART;TZID=America/New_York:19970922T090000\n" +
			"RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
		// ==> (1997 9:00 AM EDT) September 22;October 20
		//     (1997 9:00 AM EST) November 17;December 22
		//     (1998 9:00 AM EST) January 19;February 16
		want: slices.Concat(
			on("EDT", "1997-09", 22),
			on("EDT", "1997-10", 20),
			on("EST", "1997-11", 17),
			on("EST", "1997-12", 22),
			on("EST", "1998-01", 19),
			on("EST", "1998-02", 16),
		),
	},
	{
		title: "Monthly on the third-to-the-last day of the month, forever",
		rule: "DTSTART;TZID=America/New_York:19970928T090000\n" +
			"RRULE:FREQ=MONTHLY;BYMONTHDAY=-3",
		forever: true,
		// ==> (1997 9:00 AM EDT) September 28
		//     (1997 9:00 AM EST) October 29;November 28;December 29
		//     (1998 9:00 AM EST) January 29;February 26
		//     ...
		want: slices.Concat(
			on("EDT", "1997-09", 28),
			on("EST", "1997-10", 29),
			on("EST", "1997-11", 28),
			on("EST", "1997-12", 29),
			on("EST", "1998-01", 29),
			on("EST", "1998-02", 26),
		),
	},
	{
		title: "Monthly on the 2nd and 15th of the month for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
		// ==> (1997 9:00 AM EDT) September 2,15;October 2,15
		//     (1997 9:00 AM EST) November 2,15;December 2,15
		//     (1998 9:00 AM EST) January 2,15
		want: slices.Concat(
			on("EDT", "1997-09", 2, 15),
			on("EDT", "1997-10", 2, 15),
			on("EST", "1997-11", 2, 15),
			on("EST", "1997-12", 2, 15),
			on("EST", "1998-01", 2, 15),
		),
	},
	{
		title: "Monthly on the first and last day of the month for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970930T090000\n" +
			"RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
		// ==> (1997 9:00 AM EDT) September 30;October 1
		//     (1997 9:00 AM EST) October 31;November 1,30;December 1,31
		//     (1998 9:00 AM EST) January 1,31;February 1
		want: slices.Concat(
			on("EDT", "1997-09", 30),
			on("EDT", "1997-10", 1),
			on("EST", "1997-10", 31),
			on("EST", "1997-11", 1, 30),
			on("EST", "1997-12", 1, 31),
			on("EST", "1998-01", 1, 31),
			on("EST", "1998-02", 1),
		),
	},
	{
		title: "Every 18 months on the 10th thru 15th of the month for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970910T090000\n" +
			"RRULE:FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,\n" +
			" 13,14,15",
		// ==> (1997 9:00 AM EDT) September 10,11,12,13,14,15
		//     (1999 9:00 AM EST) March 10,11,12,13
		want: slices.Concat(
			on("EDT", "1997-09", 10, 11, 12, 13, 14, 15),
			on("EST", "1999-03", 10, 11, 12, 13),
		),
	},
	{
		title: "Every Tuesday, every other month",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
		forever: true,
		// ==> (1997 9:00 AM EDT) September 2,9,16,23,30
		//     (1997 9:00 AM EST) November 4,11,18,25
		//     (1998 9:00 AM EST) January 6,13,20,27;March 3,10,17,24,31
		//     ...
		want: slices.Concat(
			on("EDT", "1997-09", 2, 9, 16, 23, 30),
			on("EST", "1997-11", 4, 11, 18, 25),
			on("EST", "1998-01", 6, 13, 20, 27),
			on("EST", "1998-03", 3, 10, 17, 24, 31),
		),
	},
	{
		title: "Yearly in June and July for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970610T090000\n" +
			"RRULE:FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
		// ==> (1997 9:00 AM EDT) June 10;July 10
		//     (1998 9:00 AM EDT) June 10;July 10
		//     (1999 9:00 AM EDT) June 10;July 10
		//     (2000 9:00 AM EDT) June 10;July 10
		//     (2001 9:00 AM EDT) June 10;July 10
		want: slices.Concat(
			on("EDT", "1997-06", 10), on("EDT", "1997-07", 10),
			on("EDT", "1998-06", 10), on("EDT", "1998-07", 10),
			on("EDT", "1999-06", 10), on("EDT", "1999-07", 10),
			on("EDT", "2000-06", 10), on("EDT", "2000-07", 10),
			on("EDT", "2001-06", 10), on("EDT", "2001-07", 10),
		),
	},
	{
		title: "Every other year on January, February, and March for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970310T090000\n" +
			"RRULE:FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
		// ==> (1997 9:00 AM EST) March 10
		//     (1999 9:00 AM EST) January 10;February 10;March 10
		//     (2001 9:00 AM EST) January 10;February 10;March 10
		//     (2003 9:00 AM EST) January 10;February 10;March 10
		want: slices.Concat(
			on("EST", "1997-03", 10),
			on("EST", "1999-01", 10), on("EST", "1999-02", 10), on("EST", "1999-03", 10),
			on("EST", "2001-01", 10), on("EST", "2001-02", 10), on("EST", "2001-03", 10),
			on("EST", "2003-01", 10), on("EST", "2003-02", 10), on("EST", "2003-03", 10),
		),
	},
	{
		title: "Every third year on the 1st, 100th, and 200th day for 10 occurrences",
		rule: "DTSTART;TZID=America/New_York:19970101T090000\n" +
			"RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
		// ==> (1997 9:00 AM EST) January 1
		//     (1997 9:00 AM EDT) April 10;July 19
		//     (2000 9:00 AM EST) January 1
		//     (2000 9:00 AM EDT) April 9;July 18
		//     (2003 9:00 AM EST) January 1
		//     (2003 9:00 AM EDT) April 10;July 19
		//     (2006 9:00 AM EST) January 1
		want: slices.Concat(
			on("EST", "1997-01", 1),
			on("EDT", "1997-04", 10), on("EDT", "1997-07", 19),
			on("EST", "2000-01", 1),
			on("EDT", "2000-04", 9), on("EDT", "2000-07", 18),
			on("EST", "2003-01", 1),
			on("EDT", "2003-04", 10), on("EDT", "2003-07", 19),
			on("EST", "2006-01", 1),
		),
	},
	{
		title: "Every 20th Monday of the year, forever",
		rule: "DTSTART;TZID=America/New_York:19970519T090000\n" +
			"RRULE:FREQ=YEARLY;BYDAY=20MO",
		forever: true,
		// ==> (1997 9:00 AM EDT) May 19
		//     (1998 9:00 AM EDT) May 18
		//     (1999 9:00 AM EDT) May 17
		//     ...
		want: slices.Concat(
			on("EDT", "1997-05", 19),
			on("EDT", "1998-05", 18),
			on("EDT", "1999-05", 17),
		),
	},
	{
		title: "Monday of week number 20 (where the default start of the week is Monday), forever",
		rule: "DTSTART;TZID=America/New_York:19970512T090000\n" +
			"RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
		forever: true,
		// ==> (1997 9:00 AM EDT) May 12
		//     (1998 9:00 AM EDT) May 11
		//     (1999 9:00 AM EDT) May 17
		//     ...
		want: slices.Concat(
			on("EDT", "1997-05", 12),
			on("EDT", "1998-05", 11),
			on("EDT", "1999-05", 17),
		),
	},
	{
		title: "Every Thursday in March, forever",
		rule: "DTSTART;TZID=America/New_York:19970313T090000\n" +
			"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
		forever: true,
		// ==> (1997 9:00 AM EST) March 13,20,27
		//     (1998 9:00 AM EST) March 5,12,19,26
		//     (1999 9:00 AM EST) March 4,11,18,25
		//     ...
		want: slices.Concat(
			on("EST", "1997-03", 13, 20, 27),
			on("EST", "1998-03", 5, 12, 19, 26),
			on("EST", "1999-03", 4, 11, 18, 25),
		),
	},
	{
		title: "Every Thursday, but only during June, July, and August, forever",
		rule: "DTSTART;TZID=America/New_York:19970605T090000\n" +
			"RRULE:FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
		forever: true,
		// ==> (1997 9:00 AM EDT) June 5,12,19,26;July 3,10,17,24,31;
		//                        August 7,14,21,28
		//     (1998 9:00 AM EDT) June 4,11,18,25;July 2,9,16,23,30;
		//                        August 6,13,20,27
		//     (1999 9:00 AM EDT) June 3,10,17,24;July 1,8,15,22,29;
		//                        August 5,12,19,26
		//     ...
		want: slices.Concat(
			on("EDT", "1997-06", 5, 12, 19, 26),
			on("EDT", "1997-07", 3, 10, 17, 24, 31),
			on("EDT", "1997-08", 7, 14, 21, 28),
			on("EDT", "1998-06", 4, 11, 18, 25),
			on("EDT", "1998-07", 2, 9, 16, 23, 30),
			on("EDT", "1998-08", 6, 13, 20, 27),
			on("EDT", "1999-06", 3, 10, 17, 24),
			on("EDT", "1999-07", 1, 8, 15, 22, 29),
			on("EDT", "1999-08", 5, 12, 19, 26),
		),
	},
	{
		// DTSTART (a Tuesday) does not match the rule; the RFC excludes it
		// with the EXDATE, so the listed set starts in February 1998.
		title: "Every Friday the 13th, forever",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"EXDATE;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
		forever: true,
		// ==> (1998 9:00 AM EST) February 13;March 13;November 13
		//     (1999 9:00 AM EDT) August 13
		//     (2000 9:00 AM EDT) October 13
		//     ...
		want: slices.Concat(
			on("EST", "1998-02", 13),
			on("EST", "1998-03", 13),
			on("EST", "1998-11", 13),
			on("EDT", "1999-08", 13),
			on("EDT", "2000-10", 13),
		),
	},
	{
		title: "The first Saturday that follows the first Sunday of the month, forever",
		rule: "DTSTART;TZID=America/New_York:19970913T090000\n" +
			"RRULE:FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
		forever: true,
		// ==> (1997 9:00 AM EDT) September 13;October 11
		//     (1997 9:00 AM EST) November 8;December 13
		//     (1998 9:00 AM EST) January 10;February 7;March 7
		//     (1998 9:00 AM EDT) April 11;May 9;June 13...
		//     ...
		want: slices.Concat(
			on("EDT", "1997-09", 13),
			on("EDT", "1997-10", 11),
			on("EST", "1997-11", 8),
			on("EST", "1997-12", 13),
			on("EST", "1998-01", 10),
			on("EST", "1998-02", 7),
			on("EST", "1998-03", 7),
			on("EDT", "1998-04", 11),
			on("EDT", "1998-05", 9),
			on("EDT", "1998-06", 13),
		),
	},
	{
		title: "Every 4 years, the first Tuesday after a Monday in November, forever (U.S. Presidential Election day)",
		rule: "DTSTART;TZID=America/New_York:19961105T090000\n" +
			"RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;\n" +
			" BYMONTHDAY=2,3,4,5,6,7,8",
		forever: true,
		// ==> (1996 9:00 AM EST) November 5
		//     (2000 9:00 AM EST) November 7
		//     (2004 9:00 AM EST) November 2
		//     ...
		want: slices.Concat(
			on("EST", "1996-11", 5),
			on("EST", "2000-11", 7),
			on("EST", "2004-11", 2),
		),
	},
	{
		title: "The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months",
		rule: "DTSTART;TZID=America/New_York:19970904T090000\n" +
			"RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
		// ==> (1997 9:00 AM EDT) September 4;October 7
		//     (1997 9:00 AM EST) November 6
		want: slices.Concat(
			on("EDT", "1997-09", 4),
			on("EDT", "1997-10", 7),
			on("EST", "1997-11", 6),
		),
	},
	{
		title: "The second-to-last weekday of the month",
		rule: "DTSTART;TZID=America/New_York:19970929T090000\n" +
			"RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
		forever: true,
		// ==> (1997 9:00 AM EDT) September 29
		//     (1997 9:00 AM EST) October 30;November 27;December 30
		//     (1998 9:00 AM EST) January 29;February 26;March 30
		//     ...
		want: slices.Concat(
			on("EDT", "1997-09", 29),
			on("EST", "1997-10", 30),
			on("EST", "1997-11", 27),
			on("EST", "1997-12", 30),
			on("EST", "1998-01", 29),
			on("EST", "1998-02", 26),
			on("EST", "1998-03", 30),
		),
	},
	{
		// The FREQ=DAILY variant: 8 hours × 3 minutes = 24 times a day, the
		// most the library allows. The RFC elides the middle of each day
		// ("10:20, ... 16:00"); it is written out here.
		title: "Every 20 minutes from 9:00 AM to 4:40 PM every day (FREQ=DAILY)",
		rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
			"RRULE:FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
		forever: true,
		// ==> (September 2, 1997 EDT) 9:00,9:20,9:40,10:00,10:20,
		//                             ... 16:00,16:20,16:40
		//     (September 3, 1997 EDT) 9:00,9:20,9:40,10:00,10:20,
		//                             ...16:00,16:20,16:40
		//     ...
		want: slices.Concat(
			at("EDT", "1997-09-02",
				"09:00", "09:20", "09:40", "10:00", "10:20", "10:40",
				"11:00", "11:20", "11:40", "12:00", "12:20", "12:40",
				"13:00", "13:20", "13:40", "14:00", "14:20", "14:40",
				"15:00", "15:20", "15:40", "16:00", "16:20", "16:40"),
			at("EDT", "1997-09-03",
				"09:00", "09:20", "09:40", "10:00", "10:20", "10:40",
				"11:00", "11:20", "11:40", "12:00", "12:20", "12:40",
				"13:00", "13:20", "13:40", "14:00", "14:20", "14:40",
				"15:00", "15:20", "15:40", "16:00", "16:20", "16:40"),
		),
	},
	{
		title: "An example where the days generated makes a difference because of WKST (WKST=MO)",
		rule: "DTSTART;TZID=America/New_York:19970805T090000\n" +
			"RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
		// ==> (1997 EDT) August 5,10,19,24
		want: on("EDT", "1997-08", 5, 10, 19, 24),
	},
	{
		title: "Changing only WKST from MO to SU, yields different results (WKST=SU)",
		rule: "DTSTART;TZID=America/New_York:19970805T090000\n" +
			"RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
		// ==> (1997 EDT) August 5,17,19,31
		want: on("EDT", "1997-08", 5, 17, 19, 31),
	},
	{
		title: "An example where an invalid date (i.e., February 30) is ignored",
		rule: "DTSTART;TZID=America/New_York:20070115T090000\n" +
			"RRULE:FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
		// ==> (2007 EST) January 15,30
		//     (2007 EST) February 15
		//     (2007 EDT) March 15,30
		want: slices.Concat(
			on("EST", "2007-01", 15, 30),
			on("EST", "2007-02", 15),
			on("EDT", "2007-03", 15, 30),
		),
	},
}

// rfcZoneOffsets are the UTC offsets of the zone abbreviations the RFC
// annotates occurrences with.
var rfcZoneOffsets = map[string]int{"EDT": -4 * 3600, "EST": -5 * 3600}

// rfcDTStart reads the DTSTART line of an example, independently of the
// code under test: every example's is "DTSTART;TZID=America/New_York:…".
func rfcDTStart(t *testing.T, ny *time.Location, rule string) time.Time {
	t.Helper()
	const prefix = "DTSTART;TZID=America/New_York:"
	line, _, _ := strings.Cut(rule, "\n")
	if !strings.HasPrefix(line, prefix) {
		t.Fatalf("first line %q is not %s…", line, prefix)
	}
	start, err := time.ParseInLocation("20060102T150405", strings.TrimPrefix(line, prefix), ny)
	if err != nil {
		t.Fatalf("DTSTART %q: %v", line, err)
	}
	return start
}

func TestRFC5545Examples(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("loading America/New_York: %v", err)
	}
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

	for _, ex := range rfc5545Examples {
		t.Run(ex.title, func(t *testing.T) {
			// The expected instants, checked against the RFC's EDT/EST
			// annotations so that a transcription slip shows up as such.
			want := make([]time.Time, len(ex.want))
			for i, o := range ex.want {
				w, err := time.ParseInLocation("2006-01-02 15:04", o.wall, ny)
				if err != nil {
					t.Fatalf("transcription: %q: %v", o.wall, err)
				}
				if name, off := w.Zone(); name != o.zone || off != rfcZoneOffsets[o.zone] {
					t.Fatalf("transcription: %s is %s (%+d s) in the tz database, not %s", o.wall, name, off, o.zone)
				}
				if i > 0 && !w.After(want[i-1]) {
					t.Fatalf("transcription: %s is not after %s", o.wall, ex.want[i-1].wall)
				}
				want[i] = w
			}
			start := rfcDTStart(t, ny, ex.rule)

			r, err := schedule.Parse(ex.rule)
			if err != nil {
				t.Fatalf("Parse(%q): %v", ex.rule, err)
			}
			if !r.Start().Equal(start) {
				t.Errorf("Start() = %v, want DTSTART %v", r.Start(), start)
			}

			// Between from DTSTART: the whole set of a bounded rule, or up
			// to just after the last occurrence the RFC lists.
			to := far
			if ex.forever {
				to = want[len(want)-1].Add(time.Minute)
			}
			var got []time.Time
			for o := range r.Between(start, to) {
				got = append(got, o)
				if len(got) > len(want)+50 {
					break // enough to show the failure
				}
			}
			checkRFCOccurrences(t, "Between", got, ex.want, want)

			// Next, one occurrence at a time from just before DTSTART.
			got = got[:0]
			after := start.Add(-time.Second)
			for range want {
				n, ok := r.Next(after)
				if !ok {
					break
				}
				got = append(got, n)
				after = n
			}
			if !ex.forever {
				if n, ok := r.Next(after); ok {
					got = append(got, n) // one too many
				}
			}
			checkRFCOccurrences(t, "Next", got, ex.want, want)
		})
	}
}

// checkRFCOccurrences compares occurrences with the RFC's list: the same
// instants, in the rule's zone with the EDT/EST the RFC annotates.
func checkRFCOccurrences(t *testing.T, how string, got []time.Time, occs []rfcOcc, want []time.Time) {
	t.Helper()
	bad := len(got) != len(want)
	for i := range min(len(got), len(want)) {
		name, off := got[i].Zone()
		if !got[i].Equal(want[i]) || name != occs[i].zone || off != rfcZoneOffsets[occs[i].zone] ||
			got[i].Location().String() != "America/New_York" {
			t.Errorf("%s: occurrence %d = %s (%s), want %s %s",
				how, i+1, got[i].Format("2006-01-02 15:04 MST -0700"), got[i].Location(), occs[i].wall, occs[i].zone)
			bad = true
		}
	}
	if bad {
		t.Errorf("%s: got %d occurrences, want %d:\n got  %s\n want %s",
			how, len(got), len(want), formatTimes(got), formatTimes(want))
	}
}

func formatTimes(ts []time.Time) string {
	s := make([]string, len(ts))
	for i, tm := range ts {
		s[i] = tm.Format("2006-01-02T15:04 MST")
	}
	return strings.Join(s, " ")
}

// TestRFC5545Unsupported checks that Parse rejects the RFC 5545 §3.8.5.3
// examples that recur more often than daily, with an error saying so.
func TestRFC5545Unsupported(t *testing.T) {
	for _, ex := range []struct {
		title, rule, freq string
	}{
		{
			// RFC 5545 as published says UNTIL=19970902T170000Z (1:00 PM
			// EDT), which contradicts its listed 09:00,12:00,15:00; verified
			// erratum EID 3883 corrects it to 19970902T210000Z.
			title: "Every 3 hours from 9:00 AM to 5:00 PM on a specific day",
			rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
				"RRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z",
			freq: "HOURLY",
			// ==> (September 2, 1997 EDT) 09:00,12:00,15:00
		},
		{
			title: "Every 15 minutes for 6 occurrences",
			rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
				"RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=6",
			freq: "MINUTELY",
			// ==> (September 2, 1997 EDT) 09:00,09:15,09:30,09:45,10:00,10:15
		},
		{
			title: "Every hour and a half for 4 occurrences",
			rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
				"RRULE:FREQ=MINUTELY;INTERVAL=90;COUNT=4",
			freq: "MINUTELY",
			// ==> (September 2, 1997 EDT) 09:00,10:30;12:00;13:30
		},
		{
			// The FREQ=DAILY variant of this example is supported (24 times
			// a day) and tested in TestRFC5545Examples.
			title: "Every 20 minutes from 9:00 AM to 4:40 PM every day (FREQ=MINUTELY)",
			rule: "DTSTART;TZID=America/New_York:19970902T090000\n" +
				"RRULE:FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
			freq: "MINUTELY",
		},
	} {
		t.Run(ex.title, func(t *testing.T) {
			r, err := schedule.Parse(ex.rule)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error: the library recurs at most daily", ex.rule, r)
			}
			var pe *schedule.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("Parse error %v (%T) is not a *schedule.ParseError", err, err)
			}
			if msg := err.Error(); !strings.Contains(msg, "at most daily") || !strings.Contains(msg, ex.freq) {
				t.Errorf("Parse error %q should mention %s and \"at most daily\"", msg, ex.freq)
			}
		})
	}
}

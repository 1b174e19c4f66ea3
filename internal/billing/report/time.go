package report

import (
	"time"
)

// ParseTime reads the dates of billing reports, always as UTC unless the
// text carries an offset:
//
//	2016-09-30 23:00:00          detailed billing
//	2017/05/01 00:00:00          monthly and cost allocation
//	2023-11-04T23:00:00.000Z     CUR, CUR 2.0 (fraction and Z optional)
//	2023-11-04T23:00:00+01:00
//	2023-11-04                   a bare date
//	20170801T000000.000Z         CUR manifests' billingPeriod
//
// It is hand-written because it runs on every row.
func ParseTime(b []byte) (time.Time, bool) {
	if len(b) == 20 && b[8] == 'T' && b[15] == '.' || len(b) == 16 && b[8] == 'T' && b[15] == 'Z' {
		return parseCompact(b)
	}
	if len(b) < 10 {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || !(b[4] == '-' && b[7] == '-' || b[4] == '/' && b[7] == '/') {
		return time.Time{}, false
	}
	var hour, minute, sec, nsec int
	rest := b[10:]
	if len(rest) > 0 {
		if len(rest) < 9 || (rest[0] != ' ' && rest[0] != 'T') || rest[3] != ':' || rest[6] != ':' {
			return time.Time{}, false
		}
		var ok4, ok5, ok6 bool
		hour, ok4 = digits(rest[1:3])
		minute, ok5 = digits(rest[4:6])
		sec, ok6 = digits(rest[7:9])
		if !ok4 || !ok5 || !ok6 {
			return time.Time{}, false
		}
		rest = rest[9:]
		if len(rest) > 0 && rest[0] == '.' {
			n := 1
			scale := int(time.Second)
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				if scale > 1 {
					scale /= 10
					nsec += int(rest[n]-'0') * scale
				}
				n++
			}
			if n == 1 {
				return time.Time{}, false
			}
			rest = rest[n:]
		}
	}
	offset := 0
	switch {
	case len(rest) == 0, len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok7 := digits(rest[1:3])
		om, ok8 := digits(rest[4:6])
		if !ok7 || !ok8 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// parseCompact reads the manifests' 20170801T000000.000Z.
func parseCompact(b []byte) (time.Time, bool) {
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[4:6])
	day, ok3 := digits(b[6:8])
	hour, ok4 := digits(b[9:11])
	minute, ok5 := digits(b[11:13])
	sec, ok6 := digits(b[13:15])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	if b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	ms := 0
	if len(b) == 20 {
		var ok bool
		if ms, ok = digits(b[16:19]); !ok {
			return time.Time{}, false
		}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, ms*int(time.Millisecond), time.UTC), true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Period is a billing month, written YYYY-MM.
type Period struct {
	Year  int
	Month time.Month
}

// PeriodOf returns the month of t (in UTC).
func PeriodOf(t time.Time) Period {
	t = t.UTC()
	return Period{t.Year(), t.Month()}
}

// ParsePeriod reads "YYYY-MM" or "YYYYMM".
func ParsePeriod(s string) (Period, bool) {
	var y, m int
	var ok1, ok2 bool
	switch {
	case len(s) == 7 && s[4] == '-':
		y, ok1 = digits([]byte(s[:4]))
		m, ok2 = digits([]byte(s[5:]))
	case len(s) == 6:
		y, ok1 = digits([]byte(s[:4]))
		m, ok2 = digits([]byte(s[4:]))
	default:
		return Period{}, false
	}
	if !ok1 || !ok2 || m < 1 || m > 12 || y < 1 {
		return Period{}, false
	}
	return Period{y, time.Month(m)}, true
}

// String writes YYYY-MM.
func (p Period) String() string {
	if p.IsZero() {
		return ""
	}
	return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// IsZero reports whether p is unset.
func (p Period) IsZero() bool { return p.Year == 0 }

// Start is the first instant of the month, UTC.
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }

// Days is the number of days in the month.
func (p Period) Days() int { return p.Start().AddDate(0, 1, -1).Day() }

// AddMonths returns the period n months later (earlier when n < 0).
func (p Period) AddMonths(n int) Period { return PeriodOf(p.Start().AddDate(0, n, 0)) }

// Before reports whether p is an earlier month than q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || p.Year == q.Year && p.Month < q.Month
}

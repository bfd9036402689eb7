package models

import (
	"context"
	"fmt"
	"time"
)

// DayCount is how many of a letter's counted signatures were made on a day (UTC).
type DayCount struct {
	Day   time.Time
	Count int64
}

// SignaturesByDay counts a letter's counted signatures (listed, named or
// not) by the day they were made, oldest first. Days without signatures are
// left out.
func (s *Store) SignaturesByDay(ctx context.Context, l *Letter) ([]DayCount, error) {
	var rows []struct {
		Day   string
		Count int64
	}
	// The day as text, YYYY-MM-DD, in UTC.
	day := map[Dialect]string{SQLite: "date(created_at)", Postgres: "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"}[s.dialect]
	err := s.read.WithContext(ctx).Model(&Signature{}).Select(day+" AS day, count(*) AS count").
		Where("letter_id = ? AND status = 'listed'", l.ID).Group("day").Order("day").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("signatures by day: %w", err)
	}
	out := make([]DayCount, 0, len(rows))
	for _, r := range rows {
		day, err := time.Parse(time.DateOnly, r.Day)
		if err != nil {
			return nil, fmt.Errorf("signatures by day: day %q: %w", r.Day, err)
		}
		out = append(out, DayCount{Day: day, Count: r.Count})
	}
	return out, nil
}

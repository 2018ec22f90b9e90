package validate

import (
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// Timeout refuses a zero or negative --timeout: helm would take either
// as its 5m default without a word.
func Timeout(d time.Duration) error {
	if d > 0 {
		return nil
	}
	return clierr.Usagef("give a positive duration, e.g. --timeout 10m", "--timeout %s: must be more than 0", d)
}

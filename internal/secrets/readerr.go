package secrets

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// maxLine is the longest env file line Parse reads: a Secret holds 1 MiB
// in all, so a longer value could never be written.
const maxLine = 1 << 20

// scanError names the line a scan stopped at, and the limit when it was
// too long.
func scanError(name string, line int, err error) error {
	if errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("%s:%d: line longer than %d bytes, the most a Secret holds", name, line, maxLine)
	}
	return fmt.Errorf("%s:%d: %w", name, line, err)
}

// readError gives each way of failing to read the env file a fix that fits
// it: a parse error names its line, a directory or unreadable file does not.
func readError(path string, err error) error {
	switch {
	case errors.Is(err, syscall.EISDIR):
		return clierr.Usage("env file "+path+" is a directory", "pass a dotenv file (KEY=VALUE lines), e.g. --env-file "+path+"/.env", nil)
	case errors.As(err, new(*fs.PathError)):
		return clierr.Usage("read env file "+path, "check that it is a readable file", err)
	default: // Parse's errors start with file:line
		return clierr.Usage("read env file", "fix the line named above; values are never shown", err)
	}
}

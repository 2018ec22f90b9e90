// Package docs_test checks the documentation against the repository: every
// link resolves, every fix line the code prints is in the troubleshooting
// page, and no text points at documents a reader does not have.
package docs_test

import (
	"path/filepath"
)

// repo is the repository root.
var repo, _ = filepath.Abs(filepath.Join("..", ".."))

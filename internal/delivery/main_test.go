package delivery

import (
	"os"
	"testing"

	"github.com/helm-todo/helm-todo/internal/testsupport/standin"
)

func TestMain(m *testing.M) {
	standin.Main()
	os.Exit(m.Run())
}

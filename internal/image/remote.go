package image

import (
	"context"
	"net/http"
	"time"

	"oras.land/oras-go/v2/registry/remote"
)

// LocalRegistryHas asks a registry on this machine (LoopbackRegistry)
// whether it has ref, with one HEAD request to its /v2/ API over plain HTTP.
// It is done here rather than by the builder because the builders disagree:
// buildah before 1.31 has no --tls-verify on `manifest inspect`, so the check
// failed and every up pushed again. An unreachable or unwilling registry
// answers "not there": the push that follows reports the real problem.
func LocalRegistryHas(ctx context.Context, ref string) bool {
	name, tag := splitTag(ref)
	if tag == "" || !LoopbackRegistry(ref) {
		return false
	}
	repo, err := remote.NewRepository(name)
	if err != nil {
		return false
	}
	repo.PlainHTTP = true
	repo.Client = &http.Client{Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = repo.Resolve(ctx, tag)
	return err == nil
}

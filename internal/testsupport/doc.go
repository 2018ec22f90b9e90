// Package testsupport holds code that exists only for tests: the recording
// stand-ins for container engines and local-cluster tools (standin) and the
// Pod Security Standards check (psa), a writer of test projects (projectdir),
// the node rig's client (noderig) and a reader of Helm's release records
// (helmrecord). Nothing in the product imports it.
package testsupport

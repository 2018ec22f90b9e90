// Package testsupport holds code that exists only for tests: the recording
// stand-ins for container engines and local-cluster tools (standin) and the
// Pod Security Standards check (psa). Nothing in the product imports it.
package testsupport

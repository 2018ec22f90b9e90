package main

import (
	"context"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// registerCompletions completes -n with the cluster's namespaces and
// --release with the releases helm lists there. Helm reaches them through
// plugin.complete (`helm todo <TAB>`); a cluster that does not answer gives
// no suggestions, never an error on the command line.
func registerCompletions(root *cobra.Command, s *settings.Settings) {
	_ = root.RegisterFlagCompletionFunc("namespace", func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
		defer cancel()
		c, err := kubeclient.New(s)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		list, err := c.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names := make([]cobra.Completion, 0, len(list.Items))
		for _, n := range list.Items {
			names = append(names, n.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	releases := func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
		defer cancel()
		args := []string{"list", "--short"}
		if s.Namespace != "" {
			args = append(args, "--namespace", s.Namespace)
		}
		out, err := exec.CommandContext(ctx, s.HelmBin, args...).Output()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return strings.Fields(string(out)), cobra.ShellCompDirectiveNoFileComp
	}
	for _, c := range root.Commands() {
		if c.Flags().Lookup("release") != nil {
			_ = c.RegisterFlagCompletionFunc("release", releases)
		}
	}
}

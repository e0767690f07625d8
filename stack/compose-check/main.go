// Command compose-check loads a compose file with the compose-spec reference loader (the library `docker compose`
// itself uses) and prints the normalized project as JSON, so Lookout can check compose/docker-compose.yml on a
// machine without Docker. stack/compose.ts runs it and checks the JSON (mounts, healthchecks, limits, volumes).
//
// Build (the setup script does this into the Lookout tool cache, keyed by a hash of go.mod and main.go):
//
//	cd stack/compose-check && go build -o <out> .
//
// Usage:
//
//	compose-check path/to/docker-compose.yml > project.json
//
// The load is the one `docker compose config` performs: the file is validated against the compose-spec JSON
// schema, `${VAR}` references are interpolated from the current environment (a `${VAR:?message}` that is unset is an
// error), relative paths are resolved against the compose file's directory, and the model is normalized (defaults
// filled in, short syntax expanded). No `.env` file is read: what the caller's environment holds is what is checked.
//
// On success it prints the project on stdout and exits 0; otherwise it prints `compose-check: <file>: <problem>` on
// stderr and exits 1 (2 for a usage error).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose-file>")
		os.Exit(2)
	}
	out, err := load(context.Background(), os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-check: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(append(out, '\n')); err != nil {
		fmt.Fprintf(os.Stderr, "compose-check: writing the result: %v\n", err)
		os.Exit(1)
	}
}

// load reads file the way `docker compose -f file config` does and returns the normalized project as JSON.
func load(ctx context.Context, file string) ([]byte, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, err
	}
	options, err := cli.NewProjectOptions(
		[]string{abs},
		cli.WithOsEnv,
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, err
	}
	// Schema validation is on unless a load option skips it; none here does.
	project, err := options.LoadProject(ctx)
	if err != nil {
		return nil, err
	}
	return project.MarshalJSON()
}

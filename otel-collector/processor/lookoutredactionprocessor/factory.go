// Package lookoutredactionprocessor is Lookout's PII redaction processor: in one pass per span it gives every
// attribute the policy its key calls for by semantic convention — user ids hashed (HMAC-SHA256), credential keys
// masked whole, client addresses by policy, URLs kept down to scheme, host, port and path, query values masked, free
// text and statements through the value rules (checksummed where a pattern alone would over-match) and the SQL
// literal rules — in resource, scope, span, span-event and link attributes, span names, status messages and event
// names, never changing a value's type. The rules are configuration (RE2 patterns); the processor derives a
// pre-filter from them, so a value is matched only against the rules it could possibly match.
package lookoutredactionprocessor // import "lookout.local/otelcol/lookoutredactionprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// TypeStr is the processor's name in a collector configuration.
const TypeStr = "lookout_redaction"

var componentType = component.MustNewType(TypeStr)

// NewFactory returns the factory the collector builder registers.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		componentType,
		func() component.Config { return createDefaultConfig() },
		processor.WithTraces(createTraces, component.StabilityLevelBeta),
	)
}

func createTraces(
	ctx context.Context,
	set processor.Settings,
	cfg component.Config,
	next consumer.Traces,
) (processor.Traces, error) {
	r, err := compile(cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, r.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}

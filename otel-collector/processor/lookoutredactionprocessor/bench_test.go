package lookoutredactionprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

func BenchmarkProcessTraces(b *testing.B) {
	r, err := compile(shipped(b, nil))
	if err != nil {
		b.Fatal(err)
	}
	// Like bench/collector.ts: telemetrygen-shaped spans with five string attributes, one an e-mail address.
	build := func() ptrace.Traces {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "bench")
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for i := 0; i < 100; i++ {
			s := spans.AppendEmpty()
			s.SetName("okey-dokey-0")
			a := s.Attributes()
			a.PutStr("http.route", "/api/v1/workflows/{workflow_id}/runs")
			a.PutStr("customer.contact", "jane.doe@example.com")
			a.PutStr("url.full", "https://relaycore.internal/v1/route?model=gpt-4o&page=2")
			a.PutStr("net.peer.ip", "1.2.3.4")
			a.PutStr("peer.service", "telemetrygen-server")
			a.PutStr("span.kind", "server")
		}
		return td
	}
	batches := build()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		batches.CopyTo(td)
		b.StartTimer()
		_, _ = r.processTraces(context.Background(), td)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100)/1000, "µs/span")
}

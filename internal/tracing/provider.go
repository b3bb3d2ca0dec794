package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// DefaultServiceName is the service.name of kycd's spans when OTEL_SERVICE_NAME (or service.name
// in OTEL_RESOURCE_ATTRIBUTES) does not set one.
const DefaultServiceName = "kycd"

// Provider is the tracer provider of a process and how to flush it.
type Provider struct {
	// TracerProvider makes kycd's tracers: a no-op provider when tracing is off.
	trace.TracerProvider
	sdk *sdktrace.TracerProvider
}

// Enabled reports whether spans are exported.
func (p *Provider) Enabled() bool { return p.sdk != nil }

// Shutdown exports the spans still buffered and stops the exporter; it waits until ctx ends at
// most. It does nothing when tracing is off.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p.sdk == nil {
		return nil
	}
	if err := p.sdk.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: flush: %w", err)
	}
	return nil
}

// Enabled reports whether tp may record spans: false for Off's provider and OpenTelemetry's
// no-op one, true for any other (an SDK's, a test's recorder). Where it is false, kycd installs no
// middleware at all, so that a caller's traceparent is not even carried into job metadata.
func Enabled(tp trace.TracerProvider) bool {
	switch p := tp.(type) {
	case nil, noop.TracerProvider:
		return false
	case *Provider:
		return p.Enabled()
	}
	return true
}

// Off is a provider that records nothing.
func Off() *Provider { return &Provider{TracerProvider: noop.NewTracerProvider()} }

// FromEnv builds the process's provider from the standard OpenTelemetry variables. Tracing is on
// only when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set (and
// OTEL_SDK_DISABLED is not true): spans then go, batched, to that endpoint over OTLP/HTTP
// (protobuf). The exporter reads its other OTEL_EXPORTER_OTLP_* variables itself (headers,
// timeout, compression, certificates), the SDK reads OTEL_TRACES_SAMPLER(_ARG) and OTEL_BSP_*,
// and the resource takes OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over the defaults
// (service.name kycd, service.version version). Off, it returns a no-op provider and makes no
// connection. Building the exporter reaches no network: the first export does.
func FromEnv(ctx context.Context, version string) (*Provider, error) {
	if !configured() {
		return Off(), nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName(DefaultServiceName), semconv.ServiceVersion(version)),
		resource.WithFromEnv(), // after the defaults, so that OTEL_SERVICE_NAME wins
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		_ = exp.Shutdown(ctx)
		return nil, fmt.Errorf("tracing: resource (OTEL_RESOURCE_ATTRIBUTES): %w", err)
	}
	sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Provider{TracerProvider: sdk, sdk: sdk}, nil
}

// configured reports whether the environment asks for spans to be exported.
func configured() bool {
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	return strings.TrimSpace(os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != "" ||
		strings.TrimSpace(os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) != ""
}

package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns the provider's protocol 6 server. With requestValues
// false (main: no TF_LOG* variable and no debugger), each call reaches the
// framework with a context that carries the request's cancellation and
// deadline but none of its values.
//
// Why: terraform-plugin-framework (v1.19, internal/proto6server
// registerContext) keeps the cancel function of every call's context until
// StopProvider, which Terraform sends only on an interrupt, so every
// request's context stays alive until the process ends, and with it what
// terraform-plugin-go put in it: a logger per SDK subsystem with its options
// and fields, about 10 KB per call. In a 500-host apply that was 30 MB of a
// 47 MB live heap (docs/design/performance.md, "Memory"). Of the values
// (gRPC's stream, peer and metadata, terraform-plugin-go's loggers) the
// framework and this provider read only the loggers, and with logging off
// (QuietWhenNotLogging) those write nothing: leaving them out changes
// nothing a user sees. When a user asks for logs, main keeps them.
func NewServer(version string, requestValues bool) func() tfprotov6.ProviderServer {
	framework := providerserver.NewProtocol6(New(version)())
	if requestValues {
		return framework
	}
	return func() tfprotov6.ProviderServer { return valuelessServer{framework()} }
}

// valuelessServer passes every call on without the request's values.
// StopProvider keeps its context: it cancels the others.
type valuelessServer struct {
	tfprotov6.ProviderServer
}

// withoutValues calls f with a context that ends when ctx ends (its
// deadline kept) and holds nothing of ctx once the call returns.
func withoutValues[Req, Resp any](ctx context.Context, f func(context.Context, Req) (Resp, error), req Req) (Resp, error) {
	var bare context.Context
	var cancel context.CancelFunc
	if deadline, ok := ctx.Deadline(); ok {
		bare, cancel = context.WithDeadline(context.Background(), deadline)
	} else {
		bare, cancel = context.WithCancel(context.Background())
	}
	stop := context.AfterFunc(ctx, cancel)
	defer func() {
		stop()
		cancel()
	}()
	return f(bare, req)
}

func (s valuelessServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return withoutValues(ctx, s.ProviderServer.GetMetadata, req)
}

func (s valuelessServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return withoutValues(ctx, s.ProviderServer.GetProviderSchema, req)
}

func (s valuelessServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return withoutValues(ctx, s.ProviderServer.GetResourceIdentitySchemas, req)
}

func (s valuelessServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ValidateProviderConfig, req)
}

func (s valuelessServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ConfigureProvider, req)
}

func (s valuelessServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ValidateResourceConfig, req)
}

func (s valuelessServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return withoutValues(ctx, s.ProviderServer.UpgradeResourceState, req)
}

func (s valuelessServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ReadResource, req)
}

func (s valuelessServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return withoutValues(ctx, s.ProviderServer.PlanResourceChange, req)
}

func (s valuelessServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ApplyResourceChange, req)
}

func (s valuelessServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ImportResourceState, req)
}

func (s valuelessServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return withoutValues(ctx, s.ProviderServer.MoveResourceState, req)
}

func (s valuelessServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return withoutValues(ctx, s.ProviderServer.UpgradeResourceIdentity, req)
}

func (s valuelessServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return withoutValues(ctx, s.ProviderServer.GenerateResourceConfig, req)
}

func (s valuelessServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ValidateDataResourceConfig, req)
}

func (s valuelessServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ReadDataSource, req)
}

func (s valuelessServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return withoutValues(ctx, s.ProviderServer.CallFunction, req)
}

func (s valuelessServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return withoutValues(ctx, s.ProviderServer.GetFunctions, req)
}

func (s valuelessServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return withoutValues(ctx, s.ProviderServer.ValidateEphemeralResourceConfig, req)
}

func (s valuelessServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return withoutValues(ctx, s.ProviderServer.OpenEphemeralResource, req)
}

func (s valuelessServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return withoutValues(ctx, s.ProviderServer.RenewEphemeralResource, req)
}

func (s valuelessServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return withoutValues(ctx, s.ProviderServer.CloseEphemeralResource, req)
}

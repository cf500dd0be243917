using AvCloud.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseAvCloudMiddleware();
builder.Services.AddAvCloud(builder.Configuration);
builder.Build().Run();

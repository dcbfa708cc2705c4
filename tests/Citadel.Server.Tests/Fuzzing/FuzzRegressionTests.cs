using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>One server for the regression cases (started once, its log watched throughout).</summary>
public sealed class FuzzRegressionServer : IAsyncLifetime
{
    internal FuzzServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FuzzServer.StartAsync(https: false);
        await Server.SetUpAsync();
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The failure classes the protocol fuzz found beyond the ones known when it was written, each as the request that
/// showed it, answered now in the protocol's error shape with no error logged.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class FuzzRegressionTests(FuzzRegressionServer fixture) : IClassFixture<FuzzRegressionServer>
{
    private FuzzServer Server => fixture.Server;

    private async Task<FuzzResponse> SendAsync(FuzzRequest request)
    {
        var before = Server.Log.Errors.Count;
        var response = await Server.SendAsync(request);
        await Task.Delay(100); // the console logger writes from its own thread
        Assert.True(Server.Log.Errors.Count == before, "The server logged an error: " + string.Join("\n", Server.Log.Errors.Skip(before).Select(e => e.Line)));
        var failure = ResponseOracle.Check(request, response, out _);
        Assert.True(failure is null, failure + "\n" + request.Describe() + "\nanswer: " + response.Status + " " + FuzzRequest.Escape(response.Body, 2000) + " " + response.Error);
        return response;
    }

    [Fact]
    public async Task QueryErrorsEchoingControlCharactersAreWellFormedXml()
    {
        // Seed 13, case 340: ValidationError's message quotes the value, NUL and all.
        var request = FuzzServer.QueryRequest("sts", "AssumeRole", new()
        {
            ["RoleArn"] = Server.Fixtures.RoleArn,
            ["RoleSessionName"] = "fuzz",
            ["Tags.member.1.Key"] = "a\0b\u0001\ud800",
            ["Tags.member.1.Value"] = "v",
        }, FuzzSigning.User);
        var response = await SendAsync(request);
        Assert.Equal(400, response.Status);
        var error = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Descendants().First(e => e.Name.LocalName == "Message").Value;
        Assert.Contains("a\ufffdb\ufffd", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryErrorNamingAControlCharacterActionIsWellFormedXml()
    {
        // Seed 13, case 821: Action=%00 is echoed by InvalidAction.
        var request = FuzzServer.QueryRequest("sts", "GetCallerIdentity", []);
        request.Body = Encoding.UTF8.GetBytes("Action=GetCallerIdentity&Version=2011-06-15&Action=%00");
        var response = await SendAsync(request);
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidAction", XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Descendants().First(e => e.Name.LocalName == "Code").Value);
    }
}

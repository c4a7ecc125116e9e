using System.Collections.Specialized;

namespace MiniGpt5.Deployment.Tests.Identity;

/// <summary>What a fake endpoint saw: method, path, query and headers of one request.</summary>
internal sealed record RecordedRequest(string Method, string Path, NameValueCollection Query, NameValueCollection Headers);

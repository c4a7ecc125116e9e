using System.Text.Json;
using MiniGpt5.Functions.Http;
using MiniGpt5.Functions.Tests.Books;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.Http.Chromium;

/// <summary>The status page and a book's index.html served by the API, rendered in headless Chromium at phone width.</summary>
public sealed class ChromiumPageTests
{
    private const int PhoneWidth = 390;

    [ChromiumFact]
    public async Task Status_page_signs_in_lists_an_instance_and_follows_its_progress_to_the_book_link()
    {
        await using var server = await ApiTestServer.StartAsync();
        var id = await server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.Stepper, 3, new() { InstanceId = "stepper-book-1" });
        await server.Durable.WaitForInstanceStartAsync(id);
        await using var browser = await CdpBrowser.StartAsync(PhoneWidth);

        await browser.NavigateAsync(server.Address);
        // Keys are configured: the page asks for one, trades it for the session cookie, then lists the jobs.
        await browser.WaitForAsync("document.getElementById('key-form').classList.contains('shown')", TimeSpan.FromSeconds(20), "the sign-in form");
        await browser.EvaluateAsync($"document.getElementById('key').value = {JsonSerializer.Serialize(ApiTestServer.Key)}; document.getElementById('key-form').requestSubmit(); true");

        var item = $"document.querySelector('li[data-instance-id=\"{id}\"]')";
        await browser.WaitForAsync($"{item} && {item}.innerText.includes('0/3 steps done')", TimeSpan.FromSeconds(20), "the instance at 0/3");
        Assert.Equal("Stepper book", (await browser.EvaluateAsync($"{item}.querySelector('.title').textContent")).GetString());
        Assert.Equal("Running", (await browser.EvaluateAsync($"{item}.querySelector('.badge').textContent")).GetString());

        // Progress updates without a reload: the page polls the API.
        await server.Durable.RaiseEventAsync(id, "next");
        await browser.WaitForAsync($"{item}.innerText.includes('1/3 steps done')", TimeSpan.FromSeconds(20), "the instance at 1/3");
        Assert.Equal("1", (await browser.EvaluateAsync($"{item}.querySelector('.bar').getAttribute('aria-valuenow')")).GetString());
        await server.Durable.RaiseEventAsync(id, "next");
        await server.Durable.RaiseEventAsync(id, "next");
        await browser.WaitForAsync($"{item}.querySelector('.badge').textContent === 'Completed'", TimeSpan.FromSeconds(20), "the instance to complete");

        var href = (await browser.EvaluateAsync($"[...{item}.querySelectorAll('.links a')].find(a => a.textContent === 'Read the book').href")).GetString();
        Assert.Equal(new Uri(server.Address, $"books/{id}/index.html"), new Uri(href!));
        // Readable on a phone: nothing wider than the screen.
        Assert.True((await browser.EvaluateAsync("document.documentElement.scrollWidth")).GetInt32() <= PhoneWidth);
    }

    [ChromiumFact]
    public async Task A_book_served_from_storage_renders_every_step_and_loads_its_images_under_the_books_policy()
    {
        await using var server = await ApiTestServer.StartAsync(new HttpApiOptions());
        var (book, plan) = await SampleBookFolder.CreateAsync();
        using var _ = book;
        var id = plan.ManuscriptId;
        await server.Blobs.CreateContainerAsync("illustrated");
        foreach (var file in book.Directory.EnumerateFiles("*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(book.Directory.FullName, file.FullName).Replace('\\', '/');
            await using var content = file.OpenRead();
            await server.Blobs.PutAsync("illustrated", $"{id}/{relative}", content, new BlobPutOptions());
        }

        await using var browser = await CdpBrowser.StartAsync(PhoneWidth);
        await browser.NavigateAsync(new Uri(server.Address, $"books/{id}/index.html"));

        // Step images are loading="lazy": bring each into view, as a reader scrolling down would, and wait for it.
        await browser.EvaluateAsync("""
            (async () => {
              for (const image of document.images) {
                image.scrollIntoView();
                if (!image.complete) await new Promise(done => { image.onload = image.onerror = done; });
              }
              return true;
            })()
            """);
        var images = await browser.EvaluateAsync("[...document.images].map(i => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 }))");
        var list = images.EnumerateArray().ToList();
        Assert.Equal(plan.Steps.Count - 1, list.Count); // one step failed on purpose: it has a placeholder, not an image
        Assert.All(list, i => Assert.True(i.GetProperty("ok").GetBoolean(), $"{i.GetProperty("src").GetString()} did not load"));
        var text = (await browser.EvaluateAsync("document.body.innerText")).GetString()!;
        Assert.All(plan.Steps, step => Assert.Contains(step.Text.Split(' ')[0], text, StringComparison.Ordinal));
        Assert.Contains("Illustration unavailable", text, StringComparison.Ordinal);
        Assert.True((await browser.EvaluateAsync("document.documentElement.scrollWidth")).GetInt32() <= PhoneWidth);
    }
}

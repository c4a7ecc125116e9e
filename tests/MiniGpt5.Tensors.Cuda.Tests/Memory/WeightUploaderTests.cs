using MiniGpt5.Tensors.Cuda.Memory;

namespace MiniGpt5.Tensors.Cuda.Tests.Memory;

public sealed class WeightUploaderTests
{
    [Fact]
    public void Uploads_every_item_to_its_offset_through_the_ring()
    {
        long[] lengths = [300, 5000, 17, 9000, 1];
        var sources = lengths.Select((l, i) => Enumerable.Range(0, (int)l).Select(b => (byte)((b * 31) + i)).ToArray()).ToArray();
        var plan = UploadPlan.Build(lengths, chunkBytes: 2048);
        var transport = new FakeTransport(slotCount: 3, slotBytes: 2048, deviceBytes: plan.ArenaBytes);

        WeightUploader.Upload(plan, (item, offset, destination) => sources[item].AsSpan((int)offset, destination.Length).CopyTo(destination),
            transport, arenaAddress: FakeTransport.Base, CancellationToken.None);

        for (var i = 0; i < lengths.Length; i++)
        {
            Assert.Equal(sources[i], transport.Device.AsSpan((int)plan.Offsets[i], (int)lengths[i]).ToArray());
        }

        Assert.Equal(plan.Chunks.Count, transport.Copies);
        Assert.True(transport.Synchronized);
    }

    [Fact]
    public void A_slot_is_never_overwritten_while_its_copy_is_in_flight()
    {
        var plan = UploadPlan.Build([50_000], chunkBytes: 1024);
        var transport = new FakeTransport(slotCount: 2, slotBytes: 1024, deviceBytes: plan.ArenaBytes);

        WeightUploader.Upload(plan, (_, _, destination) => destination.Fill(1), transport, FakeTransport.Base, CancellationToken.None);

        Assert.Equal(0, transport.WritesToBusySlot);
        Assert.Equal(plan.Chunks.Count, transport.Waits);
    }

    [Fact]
    public void Cancellation_stops_between_chunks_and_still_drains_the_copies()
    {
        var plan = UploadPlan.Build([10_000], chunkBytes: 1024);
        var transport = new FakeTransport(slotCount: 2, slotBytes: 1024, deviceBytes: plan.ArenaBytes);
        using var cancel = new CancellationTokenSource();
        var chunks = 0;

        Assert.Throws<OperationCanceledException>(() => WeightUploader.Upload(plan, (_, _, _) =>
        {
            if (++chunks == 3)
            {
                cancel.Cancel();
            }
        }, transport, FakeTransport.Base, cancel.Token));

        Assert.Equal(3, transport.Copies);
        Assert.True(transport.Synchronized);
    }

    [Fact]
    public void A_chunk_larger_than_a_slot_is_rejected()
    {
        var plan = UploadPlan.Build([10_000], chunkBytes: 4096);
        var transport = new FakeTransport(slotCount: 2, slotBytes: 1024, deviceBytes: plan.ArenaBytes);

        Assert.Throws<ArgumentException>(() => WeightUploader.Upload(plan, (_, _, _) => { }, transport, FakeTransport.Base, CancellationToken.None));
    }

    /// <summary>Copies complete only when the uploader waits for their slot (the most pessimistic copy engine).</summary>
    private sealed class FakeTransport(int slotCount, long slotBytes, long deviceBytes) : IUploadTransport
    {
        public const ulong Base = 0x7000_0000;
        private readonly byte[][] _slots = Enumerable.Range(0, slotCount).Select(_ => new byte[slotBytes]).ToArray();
        private readonly bool[] _busy = new bool[slotCount];
        private readonly bool[] _ready = new bool[slotCount];

        public byte[] Device { get; } = new byte[deviceBytes];

        public int Copies { get; private set; }

        public int Waits { get; private set; }

        public int WritesToBusySlot { get; private set; }

        public bool Synchronized { get; private set; }

        public int SlotCount => slotCount;

        public long SlotBytes => slotBytes;

        public Span<byte> Slot(int slot)
        {
            if (_busy[slot] || !_ready[slot])
            {
                WritesToBusySlot++;
            }

            return _slots[slot];
        }

        public void WaitForSlot(int slot)
        {
            Waits++;
            _busy[slot] = false;
            _ready[slot] = true;
        }

        public void CopyToDevice(int slot, long length, ulong deviceAddress)
        {
            // The copy "runs" now: a later write to the slot before WaitForSlot would be a race on real hardware.
            _slots[slot].AsSpan(0, (int)length).CopyTo(Device.AsSpan((int)(deviceAddress - Base)));
            _busy[slot] = true;
            _ready[slot] = false;
            Copies++;
        }

        public void Synchronize() => Synchronized = true;
    }
}

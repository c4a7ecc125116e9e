using System.Globalization;
using System.Numerics;
using System.Text;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>
/// A restricted unpickler: it interprets the opcodes of protocols 2 to 5 (and the structural protocol 0/1
/// ones they reuse) but builds only inert .NET values: None as null, bool, long or BigInteger, double,
/// string, byte[], <see cref="PickleTuple"/>, <see cref="PickleList"/>, <see cref="PickleDictionary"/>,
/// <see cref="PickleSet"/>, <see cref="PickleObject"/>, <see cref="PickleGlobal"/>, and PyTorch's
/// <see cref="TorchStorageRef"/>/<see cref="TorchTensorRef"/>. Every global is checked against the
/// <see cref="PickleAllowList"/> when the opcode naming it is read, so a hostile pickle is refused before any
/// object of it is built; and since "calling" a global only runs the reader's own imitation of it, no code
/// from the file can run.
/// </summary>
internal sealed class PickleReader
{
    private const int HighestProtocol = 5;
    private const int MaxTupleDepth = 256;

    private readonly string _filePath;
    private readonly string _entry;
    private readonly PickleAllowList _allowList;
    private readonly Func<object?, object?>? _persistentLoad;

    /// <param name="filePath">The checkpoint file, for error messages.</param>
    /// <param name="entry">The pickle's name inside it ("archive/data.pkl"), for error messages.</param>
    /// <param name="allowList">Globals the pickle may name.</param>
    /// <param name="persistentLoad">Resolves persistent ids (PyTorch storages); throws <see cref="InvalidDataException"/> for bad ones.</param>
    public PickleReader(string filePath, string entry, PickleAllowList allowList, Func<object?, object?>? persistentLoad)
    {
        _filePath = filePath;
        _entry = entry;
        _allowList = allowList;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Reads one pickle starting at <paramref name="position"/> and leaves it just after the STOP opcode.</summary>
    public object? Load(ReadOnlySpan<byte> data, ref int position, CancellationToken cancellationToken)
    {
        var cursor = new PickleCursor(data, position);
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        long operations = 0;
        var at = position;
        try
        {
            while (true)
            {
                if ((++operations & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                at = cursor.Position;
                if (cursor.AtEnd)
                {
                    throw new InvalidDataException("the pickle ends without a STOP opcode (truncated or corrupted).");
                }

                var op = cursor.ReadByte();
                switch (op)
                {
                    case 0x80: // PROTO
                        {
                            var protocol = cursor.ReadByte();
                            if (protocol > HighestProtocol)
                            {
                                throw new InvalidDataException($"unsupported pickle protocol {protocol} (this reader knows 0 to {HighestProtocol}).");
                            }

                            break;
                        }

                    case 0x95: // FRAME: only groups opcodes for buffered readers; the whole stream is already in memory.
                        cursor.ReadUInt64();
                        break;
                    case 0x2E: // STOP
                        {
                            var result = Pop(stack, marks, "STOP");
                            position = cursor.Position;
                            return result;
                        }

                    case 0x28: // MARK
                        marks.Push(stack.Count);
                        break;
                    case 0x30: // POP
                        if (stack.Count > Floor(marks))
                        {
                            stack.RemoveAt(stack.Count - 1);
                        }
                        else
                        {
                            PopMark(stack, marks, "POP");
                        }

                        break;
                    case 0x31: // POP_MARK
                        PopMark(stack, marks, "POP_MARK");
                        break;
                    case 0x32: // DUP
                        stack.Add(Peek(stack, marks, "DUP"));
                        break;

                    // Scalars.
                    case 0x4E: // NONE
                        stack.Add(null);
                        break;
                    case 0x88: // NEWTRUE
                        stack.Add(true);
                        break;
                    case 0x89: // NEWFALSE
                        stack.Add(false);
                        break;
                    case 0x4A: // BININT
                        stack.Add((long)cursor.ReadInt32());
                        break;
                    case 0x4B: // BININT1
                        stack.Add((long)cursor.ReadByte());
                        break;
                    case 0x4D: // BININT2
                        stack.Add((long)cursor.ReadUInt16());
                        break;
                    case 0x8A: // LONG1
                        stack.Add(ReadLong(ref cursor, cursor.ReadByte()));
                        break;
                    case 0x8B: // LONG4
                        {
                            var n = cursor.ReadInt32();
                            if (n < 0)
                            {
                                throw new InvalidDataException($"LONG4 with negative length {n}.");
                            }

                            stack.Add(ReadLong(ref cursor, n));
                            break;
                        }

                    case 0x49: // INT (text): also spells booleans as 00/01.
                        {
                            var text = cursor.ReadLine();
                            stack.Add(text switch
                            {
                                "00" => false,
                                "01" => true,
                                _ => ParseInteger(text),
                            });
                            break;
                        }

                    case 0x4C: // LONG (text), with Python 2's trailing L.
                        stack.Add(ParseInteger(cursor.ReadLine().TrimEnd('L')));
                        break;
                    case 0x47: // BINFLOAT
                        stack.Add(cursor.ReadBigEndianDouble());
                        break;
                    case 0x46: // FLOAT (text)
                        stack.Add(ParseFloat(cursor.ReadLine()));
                        break;

                    // Strings and bytes.
                    case 0x58: // BINUNICODE
                        stack.Add(cursor.ReadUtf8(cursor.ReadUInt32()));
                        break;
                    case 0x8C: // SHORT_BINUNICODE
                        stack.Add(cursor.ReadUtf8(cursor.ReadByte()));
                        break;
                    case 0x8D: // BINUNICODE8
                        stack.Add(cursor.ReadUtf8(CheckedLength(cursor.ReadUInt64())));
                        break;
                    case 0x54: // BINSTRING (Python 2 str; PyTorch loads these as UTF-8 text)
                        {
                            var n = cursor.ReadInt32();
                            if (n < 0)
                            {
                                throw new InvalidDataException($"BINSTRING with negative length {n}.");
                            }

                            stack.Add(cursor.ReadUtf8(n));
                            break;
                        }

                    case 0x55: // SHORT_BINSTRING
                        stack.Add(cursor.ReadUtf8(cursor.ReadByte()));
                        break;
                    case 0x42: // BINBYTES
                        stack.Add(cursor.Take(cursor.ReadUInt32()).ToArray());
                        break;
                    case 0x43: // SHORT_BINBYTES
                        stack.Add(cursor.Take(cursor.ReadByte()).ToArray());
                        break;
                    case 0x8E: // BINBYTES8
                    case 0x96: // BYTEARRAY8
                        stack.Add(cursor.Take(CheckedLength(cursor.ReadUInt64())).ToArray());
                        break;

                    // Containers.
                    case 0x29: // EMPTY_TUPLE
                        stack.Add(PickleTuple.Empty);
                        break;
                    case 0x85: // TUPLE1
                    case 0x86: // TUPLE2
                    case 0x87: // TUPLE3
                        {
                            var n = op - 0x84;
                            var items = new object?[n];
                            for (var i = n - 1; i >= 0; i--)
                            {
                                items[i] = Pop(stack, marks, "TUPLEn");
                            }

                            stack.Add(MakeTuple(items));
                            break;
                        }

                    case 0x74: // TUPLE
                        stack.Add(MakeTuple(PopMark(stack, marks, "TUPLE")));
                        break;
                    case 0x5D: // EMPTY_LIST
                        stack.Add(new PickleList());
                        break;
                    case 0x6C: // LIST
                        {
                            var list = new PickleList();
                            foreach (var item in PopMark(stack, marks, "LIST"))
                            {
                                list.Add(item);
                            }

                            stack.Add(list);
                            break;
                        }

                    case 0x61: // APPEND
                        {
                            var value = Pop(stack, marks, "APPEND");
                            TargetList(Peek(stack, marks, "APPEND"), "APPEND").Add(value);
                            break;
                        }

                    case 0x65: // APPENDS
                        {
                            var items = PopMark(stack, marks, "APPENDS");
                            var list = TargetList(Peek(stack, marks, "APPENDS"), "APPENDS");
                            foreach (var item in items)
                            {
                                list.Add(item);
                            }

                            break;
                        }

                    case 0x7D: // EMPTY_DICT
                        stack.Add(new PickleDictionary("builtins.dict"));
                        break;
                    case 0x64: // DICT
                        {
                            var items = PopMark(stack, marks, "DICT");
                            var dict = new PickleDictionary("builtins.dict");
                            SetPairs(dict, items, "DICT");
                            stack.Add(dict);
                            break;
                        }

                    case 0x73: // SETITEM
                        {
                            var value = Pop(stack, marks, "SETITEM");
                            var key = Pop(stack, marks, "SETITEM");
                            TargetDictionary(Peek(stack, marks, "SETITEM"), "SETITEM").Set(key, value);
                            break;
                        }

                    case 0x75: // SETITEMS
                        {
                            var items = PopMark(stack, marks, "SETITEMS");
                            SetPairs(TargetDictionary(Peek(stack, marks, "SETITEMS"), "SETITEMS"), items, "SETITEMS");
                            break;
                        }

                    case 0x8F: // EMPTY_SET
                        stack.Add(new PickleSet(isFrozen: false));
                        break;
                    case 0x90: // ADDITEMS
                        {
                            var items = PopMark(stack, marks, "ADDITEMS");
                            if (Peek(stack, marks, "ADDITEMS") is not PickleSet { IsFrozen: false } set)
                            {
                                throw new InvalidDataException("ADDITEMS on something that is not a set.");
                            }

                            foreach (var item in items)
                            {
                                set.Add(item);
                            }

                            break;
                        }

                    case 0x91: // FROZENSET
                        {
                            var set = new PickleSet(isFrozen: true);
                            foreach (var item in PopMark(stack, marks, "FROZENSET"))
                            {
                                set.Add(item);
                            }

                            stack.Add(set);
                            break;
                        }

                    // Memo.
                    case 0x70: // PUT (text)
                        memo[ParseMemoIndex(cursor.ReadLine())] = Peek(stack, marks, "PUT");
                        break;
                    case 0x71: // BINPUT
                        memo[cursor.ReadByte()] = Peek(stack, marks, "BINPUT");
                        break;
                    case 0x72: // LONG_BINPUT
                        memo[cursor.ReadUInt32()] = Peek(stack, marks, "LONG_BINPUT");
                        break;
                    case 0x94: // MEMOIZE
                        memo[memo.Count] = Peek(stack, marks, "MEMOIZE");
                        break;
                    case 0x67: // GET (text)
                        stack.Add(MemoGet(memo, ParseMemoIndex(cursor.ReadLine())));
                        break;
                    case 0x68: // BINGET
                        stack.Add(MemoGet(memo, cursor.ReadByte()));
                        break;
                    case 0x6A: // LONG_BINGET
                        stack.Add(MemoGet(memo, cursor.ReadUInt32()));
                        break;

                    // Globals and object construction: the allow-list decides here, before anything is built.
                    case 0x63: // GLOBAL
                        {
                            var module = cursor.ReadLine();
                            var name = cursor.ReadLine();
                            stack.Add(ResolveGlobal(module, name, at));
                            break;
                        }

                    case 0x93: // STACK_GLOBAL
                        {
                            var name = Pop(stack, marks, "STACK_GLOBAL");
                            var module = Pop(stack, marks, "STACK_GLOBAL");
                            if (module is not string m || name is not string n)
                            {
                                throw new InvalidDataException("STACK_GLOBAL needs a module name and a qualified name as strings.");
                            }

                            stack.Add(ResolveGlobal(m, n, at));
                            break;
                        }

                    case 0x69: // INST (protocol 0 object construction)
                        {
                            var module = cursor.ReadLine();
                            var name = cursor.ReadLine();
                            ResolveGlobal(module, name, at);
                            throw new InvalidDataException($"protocol 0 INST of '{module}.{name}' is not supported; re-save the checkpoint with protocol 2 or newer.");
                        }

                    case 0x6F: // OBJ (protocol 1 object construction)
                        throw new InvalidDataException("protocol 1 OBJ is not supported; re-save the checkpoint with protocol 2 or newer.");
                    case 0x82: // EXT1
                    case 0x83: // EXT2
                    case 0x84: // EXT4
                        throw new UnsafePickleException(_filePath, _entry, "copyreg extension registry code", at,
                            "a global looked up through copyreg's extension registry, which a checkpoint has no reason to use; refusing.");
                    case 0x52: // REDUCE
                        {
                            var args = Pop(stack, marks, "REDUCE");
                            var callable = Pop(stack, marks, "REDUCE");
                            stack.Add(Call(callable, AsTuple(args, "REDUCE"), at));
                            break;
                        }

                    case 0x81: // NEWOBJ
                        {
                            var args = Pop(stack, marks, "NEWOBJ");
                            var cls = Pop(stack, marks, "NEWOBJ");
                            stack.Add(NewObject(cls, AsTuple(args, "NEWOBJ"), at));
                            break;
                        }

                    case 0x92: // NEWOBJ_EX
                        {
                            var kwargs = Pop(stack, marks, "NEWOBJ_EX");
                            var args = Pop(stack, marks, "NEWOBJ_EX");
                            var cls = Pop(stack, marks, "NEWOBJ_EX");
                            if (kwargs is not PickleDictionary { Count: 0 })
                            {
                                throw new InvalidDataException("NEWOBJ_EX with keyword arguments is not supported.");
                            }

                            stack.Add(NewObject(cls, AsTuple(args, "NEWOBJ_EX"), at));
                            break;
                        }

                    case 0x62: // BUILD
                        {
                            var state = Pop(stack, marks, "BUILD");
                            Build(Peek(stack, marks, "BUILD"), state);
                            break;
                        }

                    case 0x50: // PERSID (text)
                        stack.Add(PersistentLoad(cursor.ReadLine()));
                        break;
                    case 0x51: // BINPERSID
                        stack.Add(PersistentLoad(Pop(stack, marks, "BINPERSID")));
                        break;

                    case 0x53: // STRING
                    case 0x56: // UNICODE
                        throw new InvalidDataException("protocol 0 quoted strings are not supported; re-save the checkpoint with protocol 2 or newer.");
                    case 0x97: // NEXT_BUFFER
                    case 0x98: // READONLY_BUFFER
                        throw new InvalidDataException("out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported in checkpoints.");
                    default:
                        throw new InvalidDataException($"unknown opcode 0x{op:x2} (not a pickle, or corrupted).");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(_filePath, _entry, $"bad pickle at byte {at}: {e.Message}", e);
        }
    }

    private static int Floor(Stack<int> marks) => marks.Count > 0 ? marks.Peek() : 0;

    private static object? Pop(List<object?> stack, Stack<int> marks, string op)
    {
        if (stack.Count <= Floor(marks))
        {
            throw new InvalidDataException($"{op} finds the stack empty (corrupted pickle).");
        }

        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private static object? Peek(List<object?> stack, Stack<int> marks, string op)
    {
        if (stack.Count <= Floor(marks))
        {
            throw new InvalidDataException($"{op} finds the stack empty (corrupted pickle).");
        }

        return stack[^1];
    }

    private static object?[] PopMark(List<object?> stack, Stack<int> marks, string op)
    {
        if (marks.Count == 0)
        {
            throw new InvalidDataException($"{op} without a MARK (corrupted pickle).");
        }

        var start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start).ToArray();
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private static object? MemoGet(Dictionary<long, object?> memo, long index) =>
        memo.TryGetValue(index, out var value) ? value : throw new InvalidDataException($"memo entry {index} is read before it is written (corrupted pickle).");

    private static long ParseMemoIndex(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw new InvalidDataException($"bad memo index '{text}'.");

    private static int CheckedLength(ulong length) =>
        length <= int.MaxValue ? (int)length : throw new InvalidDataException($"a {length}-byte string or bytes object is larger than any checkpoint pickle.");

    private static object ReadLong(ref PickleCursor cursor, int byteCount)
    {
        if (byteCount == 0)
        {
            return 0L;
        }

        var value = new BigInteger(cursor.Take(byteCount), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private static object ParseInteger(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }

        return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)
            ? big
            : throw new InvalidDataException($"bad integer literal '{text}'.");
    }

    private static double ParseFloat(string text) => text switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new InvalidDataException($"bad float literal '{text}'."),
    };

    private static PickleTuple MakeTuple(object?[] items)
    {
        var tuple = new PickleTuple(items);
        if (tuple.Depth > MaxTupleDepth)
        {
            throw new InvalidDataException($"tuples nested more than {MaxTupleDepth} deep.");
        }

        return tuple;
    }

    private static PickleTuple AsTuple(object? args, string op) =>
        args as PickleTuple ?? throw new InvalidDataException($"{op} arguments must be a tuple, not {Describe(args)}.");

    private static PickleList TargetList(object? target, string op) =>
        target as PickleList ?? throw new InvalidDataException($"{op} on {Describe(target)}, which is not a list.");

    private static PickleDictionary TargetDictionary(object? target, string op) =>
        target as PickleDictionary ?? throw new InvalidDataException($"{op} on {Describe(target)}, which is not a dictionary.");

    private static void SetPairs(PickleDictionary dict, object?[] items, string op)
    {
        if (items.Length % 2 != 0)
        {
            throw new InvalidDataException($"{op} with an odd number of items ({items.Length}).");
        }

        for (var i = 0; i < items.Length; i += 2)
        {
            dict.Set(items[i], items[i + 1]);
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string => "a string",
        _ => $"'{value}'",
    };

    private PickleGlobal ResolveGlobal(string module, string name, int at)
    {
        var global = _allowList.Resolve(module, name, out var fullName, out var refusal);
        if (global is not null)
        {
            return global;
        }

        var written = $"{module}.{name}";
        if (written != fullName)
        {
            refusal = $"(written '{written}', the Python 2 spelling) {refusal}";
        }

        throw new UnsafePickleException(_filePath, _entry, fullName, at, refusal);
    }

    private object? PersistentLoad(object? pid)
    {
        if (_persistentLoad is null)
        {
            throw new InvalidDataException("a persistent id appears, but this pickle stands alone and has no records to refer to.");
        }

        return _persistentLoad(pid);
    }

    private object NewObject(object? cls, PickleTuple args, int at)
    {
        if (cls is not PickleGlobal g)
        {
            throw new InvalidDataException($"NEWOBJ on {Describe(cls)}, which is not a class.");
        }

        return g.Kind switch
        {
            PickleGlobalKind.Dict or PickleGlobalKind.OrderedDict or PickleGlobalKind.DefaultDict or PickleGlobalKind.DictSubclass =>
                new PickleDictionary(g.FullName),
            PickleGlobalKind.List => new PickleList(),
            PickleGlobalKind.Set => new PickleSet(isFrozen: false),
            PickleGlobalKind.InertClass => new PickleObject(g.FullName, args),
            _ => throw new UnsafePickleException(_filePath, _entry, g.FullName, at,
                "which is allowed as a value, but a checkpoint never creates instances of it; refusing."),
        };
    }

    private object? Call(object? callable, PickleTuple args, int at)
    {
        if (callable is not PickleGlobal g)
        {
            throw new InvalidDataException($"REDUCE on {Describe(callable)}, which is not callable.");
        }

        switch (g.Kind)
        {
            case PickleGlobalKind.Dict:
            case PickleGlobalKind.OrderedDict:
            case PickleGlobalKind.DictSubclass:
                {
                    var dict = new PickleDictionary(g.FullName);
                    if (args.Count > 1)
                    {
                        throw new InvalidDataException($"{g.FullName} called with {args.Count} arguments.");
                    }

                    if (args.Count == 1)
                    {
                        FillDictionary(dict, args[0], g.FullName);
                    }

                    return dict;
                }

            case PickleGlobalKind.DefaultDict:
                {
                    // defaultdict(factory[, mapping]): the factory only matters for missing keys, so it is not kept.
                    var dict = new PickleDictionary(g.FullName);
                    if (args.Count > 2 || (args.Count >= 1 && args[0] is not (null or PickleGlobal)))
                    {
                        throw new InvalidDataException("collections.defaultdict takes a type (or None) and an optional mapping.");
                    }

                    if (args.Count == 2)
                    {
                        FillDictionary(dict, args[1], g.FullName);
                    }

                    return dict;
                }

            case PickleGlobalKind.List:
                {
                    var list = new PickleList();
                    foreach (var item in Iterable(args, g.FullName))
                    {
                        list.Add(item);
                    }

                    return list;
                }

            case PickleGlobalKind.Set:
            case PickleGlobalKind.FrozenSet:
                {
                    var set = new PickleSet(g.Kind == PickleGlobalKind.FrozenSet);
                    foreach (var item in Iterable(args, g.FullName))
                    {
                        set.Add(item);
                    }

                    return set;
                }

            case PickleGlobalKind.CodecsEncode:
                // Protocol 2 has no bytes opcode; Python 3 writes bytes as _codecs.encode(latin-1 text, "latin1").
                if (args.Count == 2 && args[0] is string text && args[1] is "latin1" or "latin-1" or "iso-8859-1")
                {
                    foreach (var c in text)
                    {
                        if (c > 0xFF)
                        {
                            throw new InvalidDataException("_codecs.encode with latin1 given a character above U+00FF.");
                        }
                    }

                    return Encoding.Latin1.GetBytes(text);
                }

                throw new InvalidDataException("_codecs.encode is only accepted as encode(text, 'latin1'), the way pickle spells bytes.");
            case PickleGlobalKind.TorchSize:
                if (args.Count == 0)
                {
                    return PickleTuple.Empty;
                }

                return args.Count == 1 && args[0] is PickleTuple sizes
                    ? sizes
                    : throw new InvalidDataException("torch.Size takes one tuple.");
            case PickleGlobalKind.InertClass:
                return new PickleObject(g.FullName, args);
            case PickleGlobalKind.RebuildTensorV2:
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.Count is not (6 or 7))
                {
                    throw new InvalidDataException($"torch._utils._rebuild_tensor_v2 called with {args.Count} arguments; expected 6 or 7.");
                }

                return RebuildTensor(args, requiresGrad: AsBool(args[4], "requires_grad"));
            case PickleGlobalKind.RebuildTensor:
                // (storage, storage_offset, size, stride): the pre-1.0 spelling.
                if (args.Count != 4)
                {
                    throw new InvalidDataException($"torch._utils._rebuild_tensor called with {args.Count} arguments; expected 4.");
                }

                return RebuildTensor(args, requiresGrad: false);
            case PickleGlobalKind.RebuildParameter:
            case PickleGlobalKind.RebuildParameterWithState:
                {
                    // (data, requires_grad, backward_hooks[, state]); the state holds Python attributes only.
                    var expected = g.Kind == PickleGlobalKind.RebuildParameter ? 3 : 4;
                    if (args.Count != expected || args[0] is not TorchTensorRef data)
                    {
                        throw new InvalidDataException($"{g.FullName} expects {expected} arguments starting with a tensor.");
                    }

                    return data.AsParameter(AsBool(args[1], "requires_grad"));
                }

            case PickleGlobalKind.RebuildFromTypeV2:
                {
                    // (func, new_type, args, state): tensors whose class or attributes needed the generic path.
                    if (args.Count != 4 || args[0] is not PickleGlobal func || args[1] is not PickleGlobal newType || args[2] is not PickleTuple funcArgs)
                    {
                        throw new InvalidDataException("torch._tensor._rebuild_from_type_v2 expects (function, type, arguments, state).");
                    }

                    if (newType.FullName is not ("torch.Tensor" or "torch.nn.parameter.Parameter"))
                    {
                        throw new UnsafePickleException(_filePath, _entry, newType.FullName, at, "a tensor subclass this reader does not support.");
                    }

                    var rebuilt = Call(func, funcArgs, at);
                    return rebuilt is TorchTensorRef tensor
                        ? (newType.Name == "Parameter" ? tensor.AsParameter(tensor.RequiresGrad) : tensor)
                        : throw new InvalidDataException($"torch._tensor._rebuild_from_type_v2 with {func.FullName} did not produce a tensor.");
                }

            default:
                throw new UnsafePickleException(_filePath, _entry, g.FullName, at,
                    "which is allowed as a value, but a checkpoint never calls it; refusing.");
        }
    }

    private static IEnumerable<object?> Iterable(PickleTuple args, string name)
    {
        if (args.Count == 0)
        {
            return [];
        }

        return args.Count == 1 && args[0] is IEnumerable<object?> items
            ? items
            : throw new InvalidDataException($"{name} takes one list, tuple or set.");
    }

    private static void FillDictionary(PickleDictionary dict, object? source, string name)
    {
        switch (source)
        {
            case PickleDictionary other:
                foreach (var (k, v) in other.Entries)
                {
                    dict.Set(ReferenceEquals(k, PickleDictionary.NoneKey) ? null : k, v);
                }

                break;
            case PickleList or PickleTuple:
                foreach (var pair in (IEnumerable<object?>)source)
                {
                    if (pair is not IReadOnlyList<object?> { Count: 2 } kv || pair is PickleDictionary)
                    {
                        throw new InvalidDataException($"{name} built from a sequence whose items are not (key, value) pairs.");
                    }

                    dict.Set(kv[0], kv[1]);
                }

                break;
            default:
                throw new InvalidDataException($"{name} built from {Describe(source)}.");
        }
    }

    private static bool AsBool(object? value, string what) =>
        value is bool b ? b : throw new InvalidDataException($"{what} must be a bool, not {Describe(value)}.");

    private static TorchTensorRef RebuildTensor(PickleTuple args, bool requiresGrad)
    {
        if (args[0] is not TorchStorageRef storage)
        {
            throw new InvalidDataException($"a tensor rebuilt from {Describe(args[0])} instead of a storage.");
        }

        var offset = args[1] is long o && o >= 0 ? o : throw new InvalidDataException($"tensor storage offset {Describe(args[1])} is not a non-negative integer.");
        var shape = Dimensions(args[2], "size");
        var strides = Dimensions(args[3], "stride");
        if (shape.Length != strides.Length)
        {
            throw new InvalidDataException($"tensor size has {shape.Length} dimensions but stride has {strides.Length}.");
        }

        return new TorchTensorRef(storage, offset, shape, strides, requiresGrad, isParameter: false);
    }

    private static long[] Dimensions(object? value, string what)
    {
        if (value is not (PickleTuple or PickleList))
        {
            throw new InvalidDataException($"tensor {what} {Describe(value)} is not a tuple of integers.");
        }

        var items = (IReadOnlyList<object?>)value;
        var dims = new long[items.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = items[i] is long d && d >= 0 ? d : throw new InvalidDataException($"tensor {what} has a bad entry {Describe(items[i])}.");
        }

        return dims;
    }

    private static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PickleObject obj:
                if (obj.State is PickleDictionary existing && state is PickleDictionary more)
                {
                    foreach (var (k, v) in more.Entries)
                    {
                        existing.Set(k, v);
                    }
                }
                else
                {
                    obj.State = state;
                }

                break;
            case PickleDictionary dict:
                // OrderedDict state dicts carry `_metadata` (module versions) as an instance attribute.
                dict.Attributes = state;
                break;
            case TorchTensorRef when state is null or PickleDictionary:
                // Python attributes set on a tensor; they carry no data the engine uses.
                break;
            default:
                throw new InvalidDataException($"BUILD (setting object state) on {Describe(target)} is not supported.");
        }
    }
}

using System.Collections.Frozen;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>
/// The globals a checkpoint pickle may name. Everything else is refused before any object is built. The
/// list covers what <c>torch.save</c> writes for tensors, parameters and state dicts, the containers and
/// plain-data classes that appear in Lightning/LAVIS checkpoints (hyper-parameters as argparse.Namespace,
/// AttributeDict or OmegaConf containers), and nothing that can run code: even a name added by the caller
/// is refused when it lives in a module that executes things (os, subprocess, builtins.eval, ...).
/// </summary>
internal sealed class PickleAllowList
{
    private static readonly FrozenDictionary<string, PickleGlobalKind> Known = BuildKnown();

    private static readonly FrozenDictionary<string, DType> StorageTypes = new Dictionary<string, DType>
    {
        ["DoubleStorage"] = DType.Float64,
        ["FloatStorage"] = DType.Float32,
        ["HalfStorage"] = DType.Float16,
        ["BFloat16Storage"] = DType.BFloat16,
        ["LongStorage"] = DType.Int64,
        ["IntStorage"] = DType.Int32,
        ["ShortStorage"] = DType.Int16,
        ["CharStorage"] = DType.Int8,
        ["ByteStorage"] = DType.UInt8,
        ["BoolStorage"] = DType.Bool,
        // torch 2.x pickles a bare (untyped) storage by this name; its elements are bytes.
        ["UntypedStorage"] = DType.UInt8,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, DType> TorchDTypes = new Dictionary<string, DType>
    {
        ["float32"] = DType.Float32,
        ["float"] = DType.Float32,
        ["float16"] = DType.Float16,
        ["half"] = DType.Float16,
        ["bfloat16"] = DType.BFloat16,
        ["float64"] = DType.Float64,
        ["double"] = DType.Float64,
        ["int64"] = DType.Int64,
        ["long"] = DType.Int64,
        ["int32"] = DType.Int32,
        ["int"] = DType.Int32,
        ["int16"] = DType.Int16,
        ["short"] = DType.Int16,
        ["int8"] = DType.Int8,
        ["uint8"] = DType.UInt8,
        ["bool"] = DType.Bool,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Modules whose members can execute code, touch the system or unpickle again. Names from them are never
    // allowed, whatever the caller adds.
    private static readonly string[] DangerousModules =
    [
        "os", "posix", "nt", "subprocess", "sys", "builtins", "__builtin__", "importlib", "runpy", "shutil",
        "socket", "pickle", "_pickle", "cPickle", "marshal", "types", "ctypes", "pty", "code", "codeop",
        "webbrowser", "multiprocessing", "threading", "_thread", "asyncio", "signal", "tempfile", "io", "_io",
        "functools", "operator", "inspect", "pydoc", "commands", "popen2", "platform", "numpy.testing",
        "torch.serialization", "torch.storage", "torch.hub", "torch.jit", "torch.package", "torch._C",
        "torch.ops", "dill", "joblib", "shelve", "dbm", "sqlite3", "urllib", "http", "ftplib", "smtplib", "telnetlib",
    ];

    private readonly FrozenSet<string> _extraInertClasses;

    /// <summary>Creates the list, adding <paramref name="extraInertClasses"/> ("module.Class") as plain-data classes.</summary>
    public PickleAllowList(IEnumerable<string>? extraInertClasses = null)
    {
        var extra = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in extraInertClasses ?? [])
        {
            var dot = name.LastIndexOf('.');
            if (dot <= 0 || dot == name.Length - 1)
            {
                throw new ArgumentException($"Inert class '{name}' must be written as 'module.Class'.", nameof(extraInertClasses));
            }

            if (IsDangerous(name[..dot]))
            {
                throw new ArgumentException($"'{name}' lives in a module that can run code; it can never be allowed in a checkpoint pickle.", nameof(extraInertClasses));
            }

            extra.Add(name);
        }

        _extraInertClasses = extra.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Resolves "module.name" to an allow-listed global, or returns null with the reason it is refused.
    /// Python 2 spellings written by protocol 2 (<c>__builtin__</c>, <c>copy_reg</c>) are mapped first.
    /// </summary>
    public PickleGlobal? Resolve(string module, string name, out string fullName, out string refusal)
    {
        (module, name) = MapPython2Name(module, name);
        var full = $"{module}.{name}";
        fullName = full;
        refusal = string.Empty;

        if (Known.TryGetValue(full, out var kind))
        {
            return new PickleGlobal(module, name, kind);
        }

        if (module is "torch" or "torch.cuda" && StorageTypes.TryGetValue(name, out var storageDType))
        {
            return new PickleGlobal(module, name, PickleGlobalKind.StorageType, storageDType);
        }

        if (module == "torch" && TorchDTypes.TryGetValue(name, out var dtype))
        {
            return new PickleGlobal(module, name, PickleGlobalKind.TorchDType, dtype);
        }

        if (IsDangerous(module))
        {
            refusal = full == "torch.storage._load_from_bytes"
                ? "which would run torch.load on bytes embedded in the pickle, unpickling them again with no restriction; refusing."
                : "which can run arbitrary code when Python unpickles the file; a checkpoint has no reason to name it. The file is refused.";
            return null;
        }

        if (_extraInertClasses.Contains(full))
        {
            return new PickleGlobal(module, name, PickleGlobalKind.InertClass);
        }

        if (module is "torch" or "torch.cuda" && name.EndsWith("Storage", StringComparison.Ordinal))
        {
            refusal = $"a storage type whose element type this engine does not support (supported: {string.Join(", ", StorageTypes.Keys)}).";
            return null;
        }

        if (module == "torch._utils" && name.StartsWith("_rebuild", StringComparison.Ordinal))
        {
            refusal = "which rebuilds a kind of tensor (quantized, sparse, meta, subclass or numpy-backed) this reader does not support; only dense CPU/CUDA tensors and parameters are.";
            return null;
        }

        refusal =
            "which is not on the allow-list of tensor, container and plain-data types, so the file is refused before anything in it is built. " +
            "If the file is trusted and the class only holds data, name it in CheckpointOpenOptions.InertClasses to read it as inert data.";
        return null;
    }

    private static bool IsDangerous(string module)
    {
        foreach (var bad in DangerousModules)
        {
            if (module == bad || module.StartsWith(bad + ".", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // Python 3 unpickles protocol 0-2 names through _compat_pickle (fix_imports); these are the renames that
    // matter for deciding what a name is, so refusals name what Python would actually have imported.
    private static readonly FrozenDictionary<string, string> Python2Modules = new Dictionary<string, string>
    {
        ["__builtin__"] = "builtins",
        ["exceptions"] = "builtins",
        ["copy_reg"] = "copyreg",
        ["commands"] = "subprocess",
        ["cPickle"] = "pickle",
        ["thread"] = "_thread",
        ["Queue"] = "queue",
        ["urllib2"] = "urllib.request",
        ["httplib"] = "http.client",
        ["UserDict"] = "collections",
        ["UserList"] = "collections",
        ["UserString"] = "collections",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static (string Module, string Name) MapPython2Name(string module, string name)
    {
        if (module == "__builtin__")
        {
            switch (name)
            {
                case "reduce":
                    return ("functools", "reduce");
                case "intern":
                    return ("sys", "intern");
                case "long":
                    return ("builtins", "int");
                case "unicode" or "basestring":
                    return ("builtins", "str");
                case "xrange":
                    return ("builtins", "range");
                case "unichr":
                    return ("builtins", "chr");
                case "raw_input":
                    return ("builtins", "input");
            }
        }

        return (Python2Modules.TryGetValue(module, out var renamed) ? renamed : module, name);
    }

    private static FrozenDictionary<string, PickleGlobalKind> BuildKnown()
    {
        var known = new Dictionary<string, PickleGlobalKind>(StringComparer.Ordinal)
        {
            // Containers.
            ["collections.OrderedDict"] = PickleGlobalKind.OrderedDict,
            ["collections.defaultdict"] = PickleGlobalKind.DefaultDict,
            ["builtins.dict"] = PickleGlobalKind.Dict,
            ["builtins.list"] = PickleGlobalKind.List,
            ["builtins.set"] = PickleGlobalKind.Set,
            ["builtins.frozenset"] = PickleGlobalKind.FrozenSet,
            ["_codecs.encode"] = PickleGlobalKind.CodecsEncode,

            // Types that appear as values (OmegaConf metadata names them), never called.
            ["builtins.int"] = PickleGlobalKind.TypeReference,
            ["builtins.float"] = PickleGlobalKind.TypeReference,
            ["builtins.str"] = PickleGlobalKind.TypeReference,
            ["builtins.bool"] = PickleGlobalKind.TypeReference,
            ["builtins.bytes"] = PickleGlobalKind.TypeReference,
            ["builtins.tuple"] = PickleGlobalKind.TypeReference,
            ["builtins.object"] = PickleGlobalKind.TypeReference,
            ["typing.Any"] = PickleGlobalKind.TypeReference,
            ["typing.Dict"] = PickleGlobalKind.TypeReference,
            ["typing.List"] = PickleGlobalKind.TypeReference,
            ["torch.Tensor"] = PickleGlobalKind.TypeReference,
            ["torch.nn.parameter.Parameter"] = PickleGlobalKind.TypeReference,

            // Tensors.
            ["torch._utils._rebuild_tensor"] = PickleGlobalKind.RebuildTensor,
            ["torch._utils._rebuild_tensor_v2"] = PickleGlobalKind.RebuildTensorV2,
            ["torch._utils._rebuild_parameter"] = PickleGlobalKind.RebuildParameter,
            ["torch._utils._rebuild_parameter_with_state"] = PickleGlobalKind.RebuildParameterWithState,
            ["torch._tensor._rebuild_from_type_v2"] = PickleGlobalKind.RebuildFromTypeV2,
            ["torch.Size"] = PickleGlobalKind.TorchSize,
            ["torch.device"] = PickleGlobalKind.InertClass,

            // Hyper-parameters in Lightning checkpoints.
            ["argparse.Namespace"] = PickleGlobalKind.InertClass,
            ["pytorch_lightning.utilities.parsing.AttributeDict"] = PickleGlobalKind.DictSubclass,
            ["lightning_fabric.utilities.data.AttributeDict"] = PickleGlobalKind.DictSubclass,
            ["lightning.fabric.utilities.data.AttributeDict"] = PickleGlobalKind.DictSubclass,
        };

        // OmegaConf containers pickle their nodes and metadata objects; all are plain data.
        foreach (var name in new[]
        {
            "omegaconf.dictconfig.DictConfig", "omegaconf.listconfig.ListConfig", "omegaconf.base.ContainerMetadata",
            "omegaconf.base.Metadata", "omegaconf.nodes.AnyNode", "omegaconf.nodes.StringNode", "omegaconf.nodes.IntegerNode",
            "omegaconf.nodes.FloatNode", "omegaconf.nodes.BooleanNode", "omegaconf.nodes.BytesNode", "omegaconf.nodes.PathNode",
        })
        {
            known[name] = PickleGlobalKind.InertClass;
        }

        return known.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

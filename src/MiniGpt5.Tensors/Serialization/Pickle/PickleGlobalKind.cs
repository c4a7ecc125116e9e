namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>What the reader does with an allow-listed global when a pickle calls it or uses it as a value.</summary>
internal enum PickleGlobalKind
{
    /// <summary>Only a value (typing.Any, builtins.int, torch.Tensor); calling it is refused.</summary>
    TypeReference,

    /// <summary>builtins.dict: calling it makes an empty or filled dictionary.</summary>
    Dict,

    /// <summary>collections.OrderedDict.</summary>
    OrderedDict,

    /// <summary>collections.defaultdict: a dictionary whose factory is kept as an argument.</summary>
    DefaultDict,

    /// <summary>A dict subclass holding plain data (Lightning's AttributeDict).</summary>
    DictSubclass,

    /// <summary>builtins.list.</summary>
    List,

    /// <summary>builtins.set.</summary>
    Set,

    /// <summary>builtins.frozenset.</summary>
    FrozenSet,

    /// <summary>A plain-data class rebuilt as an inert <see cref="PickleObject"/>.</summary>
    InertClass,

    /// <summary>_codecs.encode(text, "latin1"): how protocol 2 spells a bytes object.</summary>
    CodecsEncode,

    /// <summary>torch.Size(tuple).</summary>
    TorchSize,

    /// <summary>torch.float16 and friends, as values.</summary>
    TorchDType,

    /// <summary>torch.FloatStorage and friends, named in persistent ids.</summary>
    StorageType,

    /// <summary>torch._utils._rebuild_tensor (the pre-1.0 signature).</summary>
    RebuildTensor,

    /// <summary>torch._utils._rebuild_tensor_v2.</summary>
    RebuildTensorV2,

    /// <summary>torch._utils._rebuild_parameter.</summary>
    RebuildParameter,

    /// <summary>torch._utils._rebuild_parameter_with_state.</summary>
    RebuildParameterWithState,

    /// <summary>torch._tensor._rebuild_from_type_v2 (tensors pickled through their subclass path).</summary>
    RebuildFromTypeV2,
}

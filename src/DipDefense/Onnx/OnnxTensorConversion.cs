using TorchSharp;
using static TorchSharp.torch;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace DipDefense.Onnx;

/// <summary>Converts ONNX <see cref="TensorProto"/> initializers to TorchSharp tensors and back.</summary>
internal static class OnnxTensorConversion
{
    /// <summary>A CPU tensor holding the data of <paramref name="proto"/>.</summary>
    public static Tensor ToTorch(TensorProto proto)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"ONNX tensor '{proto.Name}' keeps its data in an external file, which DipDefense's importer does not read.");
        long[] dims = proto.Dims.ToArray();
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var raw = proto.RawData.Span;
        bool hasRaw = !proto.RawData.IsEmpty;
        switch ((DataType)proto.DataType)
        {
            case DataType.Float:
                return Make(hasRaw ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : proto.FloatData.ToArray(), dims, count, proto);
            case DataType.Double:
                return Make(hasRaw ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : proto.DoubleData.ToArray(), dims, count, proto);
            case DataType.Int64:
                return Make(hasRaw ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : proto.Int64Data.ToArray(), dims, count, proto);
            case DataType.Int32:
                return Make(hasRaw ? MemoryMarshal.Cast<byte, int>(raw).ToArray() : proto.Int32Data.ToArray(), dims, count, proto);
            case DataType.Int16:
                return FromInts(hasRaw ? MemoryMarshal.Cast<byte, short>(raw).ToArray().Select(v => (int)v).ToArray() : proto.Int32Data.ToArray(), dims, count, proto, ScalarType.Int16);
            case DataType.Int8:
                return FromInts(hasRaw ? raw.ToArray().Select(v => (int)(sbyte)v).ToArray() : proto.Int32Data.ToArray(), dims, count, proto, ScalarType.Int8);
            case DataType.Uint8:
                return Make(hasRaw ? raw.ToArray() : proto.Int32Data.Select(v => (byte)v).ToArray(), dims, count, proto);
            case DataType.Bool:
                return Make(hasRaw ? raw.ToArray().Select(v => v != 0).ToArray() : proto.Int32Data.Select(v => v != 0).ToArray(), dims, count, proto);
            case DataType.Float16:
                {
                    ushort[] bits = hasRaw ? MemoryMarshal.Cast<byte, ushort>(raw).ToArray() : proto.Int32Data.Select(v => (ushort)v).ToArray();
                    float[] values = bits.Select(b => (float)BitConverter.UInt16BitsToHalf(b)).ToArray();
                    using var full = Make(values, dims, count, proto);
                    return full.to_type(ScalarType.Float16);
                }
            default:
                throw new NotSupportedException(
                    $"ONNX tensor '{proto.Name}' has data type {(DataType)proto.DataType}, which DipDefense's importer does not support.");
        }
    }

    static Tensor FromInts(int[] values, long[] dims, long count, TensorProto proto, ScalarType type)
    {
        using var t = Make(values, dims, count, proto);
        return t.to_type(type);
    }

    static Tensor Make<T>(T[] values, long[] dims, long count, TensorProto proto) where T : unmanaged
    {
        if (values.LongLength != count)
            throw new InvalidDataException(
                $"ONNX tensor '{proto.Name}' declares shape [{string.Join(",", dims)}] ({count} values) but holds {values.LongLength}.");
        return values switch
        {
            float[] f => torch.tensor(f, dims),
            double[] d => torch.tensor(d, dims),
            long[] l => torch.tensor(l, dims),
            int[] i => torch.tensor(i, dims),
            byte[] b => torch.tensor(b, dims),
            bool[] b => torch.tensor(b, dims),
            _ => throw new NotSupportedException(typeof(T).Name),
        };
    }

    /// <summary>An ONNX float tensor named <paramref name="name"/> holding <paramref name="tensor"/> (any device, converted to float32).</summary>
    public static TensorProto FromTorchFloat(string name, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().to_type(ScalarType.Float32).cpu().contiguous();
        float[] data = cpu.data<float>().ToArray();
        var proto = new TensorProto { Name = name, DataType = (int)DataType.Float };
        proto.Dims.AddRange(cpu.shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        return proto;
    }

    /// <summary>The values of an integer (or any real) tensor as a CPU <c>long[]</c>.</summary>
    public static long[] ToLongs(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().to_type(ScalarType.Int64).cpu().contiguous();
        return cpu.data<long>().ToArray();
    }

    /// <summary>The single value of a one-element tensor as a double.</summary>
    public static double ToScalar(Tensor tensor)
    {
        if (tensor.numel() != 1)
            throw new InvalidOperationException($"expected a one-element tensor, got shape [{string.Join(",", tensor.shape)}]");
        using var scope = torch.NewDisposeScope();
        return tensor.detach().to_type(ScalarType.Float64).cpu().reshape(1).data<double>()[0];
    }

    /// <summary>The TorchSharp element type of an ONNX data type number (the Cast 'to' attribute).</summary>
    public static ScalarType ToScalarType(long onnxType) => (DataType)onnxType switch
    {
        DataType.Float => ScalarType.Float32,
        DataType.Double => ScalarType.Float64,
        DataType.Float16 => ScalarType.Float16,
        DataType.Bfloat16 => ScalarType.BFloat16,
        DataType.Int64 => ScalarType.Int64,
        DataType.Int32 => ScalarType.Int32,
        DataType.Int16 => ScalarType.Int16,
        DataType.Int8 => ScalarType.Int8,
        DataType.Uint8 => ScalarType.Byte,
        DataType.Bool => ScalarType.Bool,
        _ => throw new NotSupportedException($"ONNX data type {(DataType)onnxType} is not supported by DipDefense's importer."),
    };

    /// <summary>Whether two tensors live on the same device.</summary>
    public static bool SameDevice(Tensor a, Tensor b) =>
        a.device_type == b.device_type && (a.device_type == DeviceType.CPU || a.device_index == b.device_index);

    /// <summary>Whether the element type is floating point.</summary>
    public static bool IsFloating(ScalarType type) =>
        type is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;
}

namespace DipDefense.Dip;

/// <summary>How the DIP generator's convolutions pad their input to keep the spatial size ("same" padding).</summary>
public enum DipPadding
{
    /// <summary>Mirror the border without repeating the edge pixel (the DIP default, <c>ReflectionPad2d</c>).</summary>
    Reflection,

    /// <summary>Pad with zeros (the DIPDefend baseline's choice).</summary>
    Zeros,
}

namespace DipDefense.Dip;

/// <summary>How the DIP generator doubles the spatial size on the way up.</summary>
public enum DipUpsampling
{
    /// <summary>Bilinear ×2 interpolation, <c>align_corners = false</c> (the DIP default).</summary>
    Bilinear,

    /// <summary>Nearest-neighbour ×2 (pixel repetition).</summary>
    Nearest,
}

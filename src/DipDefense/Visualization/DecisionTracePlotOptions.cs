namespace DipDefense.Visualization;

/// <summary>Settings of <see cref="DecisionTracePlot"/>.</summary>
public sealed record DecisionTracePlotOptions
{
    /// <summary>Width of the picture in pixels. Default 800.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height of the picture in pixels. Default 450.</summary>
    public int Height { get; init; } = 450;

    /// <summary>The plot's title; null (the default) gives "Decision trace: &lt;true class&gt; vs &lt;adversarial class&gt;".</summary>
    public string? Title { get; init; }

    /// <summary>Checks the size.</summary>
    /// <param name="paramName">The parameter name reported in the exception (the caller's argument).</param>
    /// <exception cref="ArgumentException">Width or Height is outside [200, 8000]; the message names it.</exception>
    public void Validate(string? paramName = null)
    {
        paramName ??= "options";
        if (Width is < 200 or > 8000)
            throw new ArgumentException($"Invalid DecisionTracePlotOptions: Width must lie in [200, 8000]; got {Width}.", paramName);
        if (Height is < 200 or > 8000)
            throw new ArgumentException($"Invalid DecisionTracePlotOptions: Height must lie in [200, 8000]; got {Height}.", paramName);
    }
}

namespace AvCloud.Console.Resources;

/// <summary>
/// The console's texts: <c>Text.resx</c> holds Chinese (zh-CN, the first language and the neutral one),
/// <c>Text.en.resx</c> English. Pages ask <c>IStringLocalizer&lt;Text&gt;</c> by key.
/// </summary>
public sealed class Text;

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OnnxPretrain.Models;

namespace OnnxPretrain.Training;

/// <summary>
/// Reads a recipe's <c>objective</c> section into the settings record its <c>type</c> registers
/// (<see cref="ObjectiveSpec.Config"/>; <c>mlm</c> when the type is absent), so a key of another objective is an error
/// that names it and the type's settings; writes the record back with its type.
/// </summary>
public sealed class ObjectiveConfigJson : JsonConverter<ObjectiveConfig>
{
    /// <inheritdoc />
    public override ObjectiveConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException("objective must be a JSON object.");
        var type = node["type"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : "mlm";
        ObjectiveSpec spec;
        try
        {
            spec = ObjectiveRegistry.Get(type);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, "$.objective.type", null, null);
        }
        var settings = ObjectiveRegistry.Settings(type);
        var unknown = node.Select(kv => kv.Key).FirstOrDefault(k => k != "type" && !settings.Contains(k));
        if (unknown is not null)
            throw new JsonException($"objective.{unknown} is not a setting of objective type '{type}' (its settings: " +
                (settings.Count == 0 ? "none" : string.Join(", ", settings)) + ").", $"$.objective.{unknown}", null, null);
        var config = (ObjectiveConfig?)node.Deserialize(spec.Config, options) ?? throw new JsonException("objective is empty.");
        return config with { Type = type };
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ObjectiveConfig value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
}

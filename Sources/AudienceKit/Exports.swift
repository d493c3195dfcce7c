// One import for the whole engine, as the `audience` command and the fuzz
// harness use it. The targets below are the engine's layers
// (docs/design.md, "Targets"); code inside the engine imports the layers
// it needs, never this module.
@_exported import AudienceCore
@_exported import AudienceGenerate
@_exported import AudienceMetrics
@_exported import AudienceOutput
@_exported import AudienceReading
@_exported import AudienceReport
@_exported import AudienceStore
@_exported import SVGCharts

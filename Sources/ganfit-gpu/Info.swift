// `ganfit-gpu info FILE`: what a model, image, weights, mesh or landmark file holds.
import ArgumentParser
import Engine

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a file: an eos model or blendshapes, PNG/JPEG image, safetensors weights, OBJ/PLY mesh or .pts landmarks.")

    @Argument(help: "The file to describe (recognised by its content, then its extension).")
    var file: String

    func run() throws {
        try runReportingErrors { print(try FileDescription.describe(file)) }
    }
}

// `ganfit-gpu texture …`: texture models for the fit: random progressive generators, their UV maps,
// generators converted from pytorch_GAN_zoo PGAN checkpoints, linear models built by PCA.
import ArgumentParser
import Engine
import Foundation

struct Texture: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make and inspect texture models: progressive-GAN generators and linear (PCA) models.",
        discussion: """
            A generator file is safetensors with pytorch_GAN_zoo's GNet tensor names and its latent size and \
            widths in the metadata (see the README's Texture models). `fit --texture gan:FILE` or \
            `linear:FILE` fits with one.
            """,
        subcommands: [TextureInit.self, TextureSample.self, TextureConvert.self, TextureBuild.self])
}

struct TextureInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a randomly initialised progressive generator (weights N(0, 1), biases 0).")

    @Option(help: "The output's side: 4·2^k (4, 8, …, 512, 1024).")
    var resolution = 512

    @Option(name: .shortAndLong, help: "The generator file to write (.safetensors).")
    var output: String

    @Option(help: "The random seed.")
    var seed: UInt64 = 0

    @Option(help: "The latent's length.")
    var latent = 512

    @Option(
        help:
            "Channels per level from 4², comma-separated (default: the paper's, min(512, 8192/2^(k+1))).")
    var widths: String?

    func run() throws {
        try runReportingErrors {
            var config = try ProgressiveGeneratorConfig.paper(resolution: resolution, latent: latent)
            if let widths {
                let list = widths.split(separator: ",").compactMap {
                    Int($0.trimmingCharacters(in: .whitespaces))
                }
                guard list.count == config.widths.count else {
                    throw EngineError.invalidValue(
                        "--widths: \(config.widths.count) comma-separated integers for "
                            + "\(resolution)² (one per level from 4²); got '\(widths)'")
                }
                config = try ProgressiveGeneratorConfig(latent: latent, widths: list)
            }
            try ProgressiveGenerator.random(config, seed: seed).write(to: output)
            print("wrote \(output): latent \(config.latent), widths \(config.widths), \(config.resolution)²")
        }
    }
}

struct TextureSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Write the UV map a generator makes from a seeded N(0, 1) latent.")

    @OptionGroup var options: DeviceOptions

    @Option(help: "The generator (.safetensors from `texture init` or `texture convert`).")
    var weights: String

    @Option(help: "The latent's random seed.")
    var seed: UInt64 = 0

    @Option(name: .shortAndLong, help: "The PNG to write.")
    var output: String

    @Option(help: "The map's side (default: the generator's; otherwise resampled bilinearly).")
    var resolution: Int?

    func run() throws {
        try runReportingErrors {
            let generator = try ProgressiveGenerator(contentsOf: weights)
            if let resolution, resolution < 1 {
                throw EngineError.invalidValue("--resolution must be ≥ 1; got \(resolution)")
            }
            let maps = try generator.textures(
                generator.latents(seed: seed), side: resolution, device: try options.choice().makeBackend())
            try PNGFile.write(HostTensor(Array(maps.shape.dropFirst()), maps.values), to: output)
            print("wrote \(output): \(maps.shape[1])² UV map, seed \(seed)")
        }
    }
}

struct TextureConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract:
            "Convert a pytorch_GAN_zoo PGAN checkpoint (.pth, either torch.save format) to a generator file.",
        discussion: "Takes avgG (the moving average) when the checkpoint has it, else netG; needs no PyTorch."
    )

    @Argument(help: "The checkpoint (.pth): {'config', 'netG', 'netD', 'avgG'} or a GNet state dict.")
    var checkpoint: String

    @Option(name: .shortAndLong, help: "The generator file to write (.safetensors).")
    var output: String

    func run() throws {
        try runReportingErrors {
            let (generator, source) = try ProgressiveGenerator.convert(pytorchCheckpoint: checkpoint)
            try generator.write(to: output)
            let config = generator.config
            print(
                "wrote \(output) from \(source): latent \(config.latent), widths \(config.widths), "
                    + "\(config.resolution)²"
            )
        }
    }
}

struct TextureBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a linear texture model (mean, basis, variances) by PCA from UV maps.",
        discussion:
            "The maps are square PNG or JPEG files of one size, for example the texture.png of earlier fits.")

    @Argument(help: "The UV maps (at least 2).")
    var maps: [String]

    @Option(name: .shortAndLong, help: "The model file to write (.safetensors).")
    var output: String

    @Option(help: "The most basis maps to keep (default: all, at most the map count − 1).")
    var components: Int?

    func run() throws {
        try runReportingErrors {
            if let components, components < 1 {
                throw EngineError.invalidValue("--components must be ≥ 1; got \(components)")
            }
            let model = try LinearTextureModel.build(files: maps, components: components)
            try model.write(to: output)
            let total = model.pca.eigenvalues.reduce(0, +)
            print(
                "wrote \(output): \(model.side)² maps, \(model.pca.componentCount) components from "
                    + "\(maps.count) maps, "
                    + "total variance \(total)")
        }
    }
}

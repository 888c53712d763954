import Foundation
import XCTest

// The PGAN converter: pytorch_GAN_zoo checkpoints written by real PyTorch in both torch.save
// formats (tools/pgan_checkpoints.py) convert to generators that reproduce PyTorch's output.
@testable import Engine

final class PGANCheckpointTests: XCTestCase {
    private let folder = Repository.path("Tests/EngineTests/Fixtures/pgan")

    func testBothTorchSaveFormatsConvertAndReproducePyTorch() throws {
        let expected = try SafetensorsFile(folder + "/expected.safetensors")
        let latent = try expected.tensor("latent")
        let images = try expected.tensor("images")
        for file in ["pgan_legacy.pth", "pgan_zip.pth"] {
            let (generator, source) = try ProgressiveGenerator.convert(pytorchCheckpoint: folder + "/" + file)
            XCTAssertEqual(source, "avgG", file)
            XCTAssertTrue(try FileDescription.describe(folder + "/" + file).contains("PGAN generator in avgG"))
            XCTAssertEqual(
                generator.config, try ProgressiveGeneratorConfig(latent: 8, widths: [6, 5, 4]), file)
            let ours = try generator.images(latent, device: CPUBackend.shared)
            XCTAssertEqual(ours.shape, images.shape, file)
            let worst = zip(ours.values, images.values).map { abs($0 - $1) }.max()!
            print("\(file): worst |ours − PyTorch| \(worst) over \(ours.values.count) values")
            assertClose(ours.values, images.values, atol: 1e-4)
        }
    }

    func testConvertedWeightsWriteAndReadBack() throws {
        let scratch = try scratchFolder(self)
        let (generator, _) = try ProgressiveGenerator.convert(pytorchCheckpoint: folder + "/pgan_zip.pth")
        try generator.write(to: scratch + "/g.safetensors")
        let read = try ProgressiveGenerator(contentsOf: scratch + "/g.safetensors")
        XCTAssertEqual(read.config, generator.config)
        for (name, tensor) in generator.tensors { XCTAssertEqual(read.tensors[name], tensor, name) }
    }

    func testBrokenCheckpointsAreErrorsNamingTheFile() throws {
        let scratch = try scratchFolder(self)
        let legacy = try Data(contentsOf: URL(fileURLWithPath: folder + "/pgan_legacy.pth"))
        let zip = try Data(contentsOf: URL(fileURLWithPath: folder + "/pgan_zip.pth"))
        let broken: [(String, Data)] = [
            ("truncated.pth", legacy.prefix(legacy.count / 2)),
            ("zip-truncated.pth", zip.prefix(zip.count - 40)),
            ("text.pth", Data("not a checkpoint".utf8)),
        ]
        for (name, data) in broken {
            try data.write(to: URL(fileURLWithPath: scratch + "/" + name))
            XCTAssertThrowsError(try ProgressiveGenerator.convert(pytorchCheckpoint: scratch + "/" + name)) {
                print("\(name): \($0)")
                XCTAssertTrue("\($0)".contains(name), "\($0)")
            }
        }
    }
}

import XCTest

// The progressive-GAN generator: OpenCL against the CPU reference, the backward against finite
// differences, latent normalisation, and its weights file.
@testable import Engine

final class ProgressiveGeneratorTests: XCTestCase {
    private let cases = OpCases.matching(["pgan "])

    func testGeneratorMatchesTheCPUReferenceOnOpenCL() throws {
        let device = try TestDevice.openCL()
        XCTAssertFalse(cases.isEmpty)
        for opCase in cases {
            let result = ParityCheck.run(opCase, on: device)
            XCTAssertTrue(result.passed, result.description)
        }
    }

    func testGradientsToLatentAndWeightsMatchFiniteDifferences() {
        for opCase in cases {
            let result = GradientCheck.run(opCase)
            print(result.description)
            XCTAssertTrue(result.passed, result.description)
        }
    }

    func testLatentIsNormalisedAndTexturesAreReproducible() throws {
        let config = try ProgressiveGeneratorConfig(latent: 8, widths: [6, 5, 4])
        XCTAssertEqual(config.resolution, 16)
        let generator = try ProgressiveGenerator.random(config, seed: 3)
        let z = generator.latents(seed: 7)
        let maps = try generator.textures(z, device: CPUBackend.shared)
        XCTAssertEqual(maps.shape, [1, 16, 16, 3])
        let scaled = HostTensor(z.shape, z.values.map { 3 * $0 })
        assertClose(try generator.textures(scaled, device: CPUBackend.shared).values, maps.values)
        let other = try generator.textures(generator.latents(seed: 8), device: CPUBackend.shared)
        XCTAssertGreaterThan(zip(other.values, maps.values).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testWeightsFileRoundTripsAndNamesItsProblems() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/g.safetensors"
        let generator = try ProgressiveGenerator.random(
            try ProgressiveGeneratorConfig(latent: 4, widths: [3, 2]), seed: 1)
        try generator.write(to: path)
        let read = try ProgressiveGenerator(contentsOf: path)
        XCTAssertEqual(read.config, generator.config)
        for (name, tensor) in generator.tensors { XCTAssertEqual(read.tensors[name], tensor, name) }
        try SafetensorsFile.write([("x", HostTensor([1], [0]))], to: folder + "/other.safetensors")
        XCTAssertThrowsError(try ProgressiveGenerator(contentsOf: folder + "/other.safetensors")) {
            XCTAssertTrue(
                "\($0)".contains("other.safetensors") && "\($0)".contains("ganfit-pgan-generator"), "\($0)")
        }
        XCTAssertEqual(
            try ProgressiveGeneratorConfig.paper(resolution: 512).widths,
            [512, 512, 512, 512, 256, 128, 64, 32])
    }
}

// `ganfit-gpu evaluate RECON.obj --scan SCAN.obj --scan-landmarks L.txt`: a reconstruction's
// surface error against a 3D scan (MICC-style, our protocol), as text or JSON, with a heat map.
import ArgumentParser
import Engine
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a reconstructed face against a 3D scan (symmetric point-to-plane distance, mm).",
        discussion: """
            Protocol: a similarity (rotation, translation, scale; Umeyama) aligns the reconstruction's \
            landmarks to the scan's over the 51 inner iBUG points (18-68); the scan is cropped to \
            --crop-radius mm around its nose tip (iBUG 31); rigid ICP at that scale pairs closest surface \
            points both ways, dropping pairs at open boundaries and beyond max(10 mm, 3 x median); then the \
            mean point-to-plane distance scan -> reconstruction and reconstruction (inside the crop \
            sphere) -> scan, with no rejection, averaged; also the point-to-point RMSE.

            Units: the scan and its landmarks are taken to be in millimetres (else --scan-scale); a RECON \
            written by `fit` (the Surrey model's 3448 vertices, in mm) has its landmarks at the model's \
            landmark vertices; any other mesh needs --landmarks. Landmark files: 68 rows `x y z` in \
            iBUG order, # comments allowed.
            """)

    @OptionGroup var options: DeviceOptions

    @Argument(help: "The reconstruction (OBJ).")
    var reconstruction: String

    @Option(help: "The 3D scan (OBJ).")
    var scan: String

    @Option(help: "The scan's 68 iBUG landmarks: 68 rows of x y z.")
    var scanLandmarks: String

    @Option(help: "The reconstruction's 68 iBUG landmarks (default: the model's landmark vertices).")
    var landmarks: String?

    @Option(help: "Multiplies the scan and its landmarks (e.g. 1000 for a scan in metres).")
    var scanScale: Double = 1

    @Option(help: "The scan is kept within this distance of its nose tip (mm).")
    var cropRadius: Double = 95

    @Option(help: "The model folder whose ibug_to_sfm.txt gives RECON's landmark vertices.")
    var model: String?

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Option(help: "Write the scan's per-vertex error as a heat map PNG (frontal view, colour bar in mm).")
    var heatmap: String?

    @Option(help: "The heat map's top of scale (mm).")
    var heatmapMax: Double = 4

    func run() throws {
        try runReportingErrors {
            guard scanScale.isFinite, scanScale > 0, cropRadius.isFinite, cropRadius > 0,
                heatmapMax.isFinite, heatmapMax > 0
            else {
                throw EngineError.invalidValue(
                    "--scan-scale, --crop-radius and --heatmap-max must be positive numbers")
            }
            let surface = try SurfaceMesh(try OBJFile.read(reconstruction))
            let scanSurface = try SurfaceMesh(try OBJFile.read(scan), scale: scanScale)
            let scanPoints = try LandmarkPointsFile.read(scanLandmarks, scale: scanScale)
            let points: [SIMD3<Double>?] =
                try landmarks.map { try LandmarkPointsFile.read($0) } ?? modelLandmarks(surface)
            var settings = EvaluationSettings()
            settings.cropRadius = cropRadius
            let result = try ScanEvaluation(
                reconstruction: surface, landmarks: points, scan: scanSurface, scanLandmarks: scanPoints,
                settings: settings)
            if let heatmap {
                let image = try HeatMap.render(
                    result.croppedScan, errors: result.scanErrors, top: heatmapMax,
                    frontal: HeatMap.frontalRotation(scanPoints), centre: scanPoints[settings.noseTip - 1],
                    device: try options.choice().makeBackend())
                try PNGFile.write(image, to: heatmap)
            }
            if json {
                print(try result.report.json())
            } else {
                print(summary(result.report))
            }
        }
    }

    /// The landmark vertices of a mesh in the model's vertex order.
    private func modelLandmarks(_ surface: SurfaceMesh) throws -> [SIMD3<Double>?] {
        let names = FitModel.fileNames
        let model = try FitModel.locate(explicit: self.model, flag: "--model")
        let count = try EosModelFile.read(model + "/" + names.shape).vertexCount
        let mapping = try LandmarkMapping.read(model + "/" + names.mapping, vertexCount: count)
        return try ScanEvaluation.modelLandmarks(surface, mapping: mapping, modelVertexCount: count)
    }

    private func summary(_ r: ScanEvaluation.Report) -> String {
        func mm(_ x: Double) -> String { String(format: "%.3f mm", x) }
        return """
            symmetric point-to-plane: \(mm(r.symmetric.meanPointToPlane)) \
            (scan → reconstruction \(mm(r.scanToReconstruction.meanPointToPlane)), \
            reconstruction → scan \(mm(r.reconstructionToScan.meanPointToPlane)))
            point-to-point RMSE: \(mm(r.symmetric.rmsePointToPoint)) \
            (\(mm(r.scanToReconstruction.rmsePointToPoint)), \(mm(r.reconstructionToScan.rmsePointToPoint)))
            alignment: \(r.landmarksAligned) landmarks, RMSE \(mm(r.landmarkRMSEAligned)) \
            (\(mm(r.landmarkRMSEAfterICP)) after ICP), scale \(String(format: "%.4f", r.scale))
            ICP: \(r.icpIterations) iterations, \(r.icpPairsKept) of \(r.icpPairs) pairs kept
            crop: \(r.scanVerticesInCrop) scan vertices, \(r.scanTrianglesInCrop) triangles within \
            \(String(format: "%g", r.cropRadius)) mm of the nose tip; \
            \(r.reconstructionToScan.points) reconstruction vertices inside
            time: \(String(format: "%.2f", r.seconds)) s (alignment, ICP and distances)
            """
    }
}

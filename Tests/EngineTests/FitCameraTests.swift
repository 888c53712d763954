// The fit's camera: the focal length read from a JPEG's EXIF (35 mm equivalent, or the focal
// length over the sensor's pixel pitch), the choice between settings, EXIF and the default, and
// the camera in crop pixels; and the settings file read over the defaults.
import Foundation
import XCTest

@testable import Engine

final class FitCameraTests: XCTestCase {
    /// A little-endian EXIF block whose IFD0 points to an Exif IFD with `entries` (tag, type, value);
    /// RATIONAL values (type 5) are given as numerator/1 and stored after the IFD.
    private func exif(_ entries: [(tag: UInt16, type: UInt16, value: UInt32)]) -> [UInt8] {
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let exifOffset: UInt32 = 26, dataOffset = exifOffset + 2 + 12 * UInt32(entries.count) + 4
        var tiff: [UInt8] = [0x49, 0x49, 0x2A, 0] + le32(8) + le16(1) + le16(0x8769) + le16(4) + le32(1) + le32(exifOffset) + le32(0)
        tiff += le16(UInt16(entries.count))
        var data: [UInt8] = []
        for entry in entries {
            if entry.type == 5 {
                tiff += le16(entry.tag) + le16(5) + le32(1) + le32(dataOffset + UInt32(data.count))
                data += le32(entry.value) + le32(1)
            } else {
                tiff += le16(entry.tag) + le16(entry.type) + le32(1) + (entry.type == 3 ? le16(UInt16(entry.value)) + [0, 0] : le32(entry.value))
            }
        }
        return Array("Exif\0\0".utf8) + tiff + le32(0) + data
    }

    /// A 16×8 JPEG carrying `exif` in an APP1 segment.
    private func photo(with exif: [UInt8], name: String) throws -> String {
        let folder = try scratchFolder(self), plain = folder + "/plain.jpg", path = folder + "/\(name).jpg"
        try JPEGFile.write(HostTensor([8, 16, 3], [Float](repeating: 0.5, count: 384)), to: plain)
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: plain))
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
        try (jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testFocalLengthIsReadFromEXIF() throws {
        let film = try JPEGFile.read(photo(with: exif([(0xA405, 3, 85)]), name: "film"))
        XCTAssertEqual(film.focal35mm, 85)
        // 4 mm over 20 px/cm (2 px/mm) on a sensor read out at 32 px wide, stored 16 px wide:
        // 4 px in a 16×8 photo, whose diagonal is √320 px.
        let sensor = try JPEGFile.read(photo(with: exif([(0x920A, 5, 4), (0xA20E, 5, 20), (0xA210, 3, 3), (0xA002, 4, 32)]),
                                             name: "sensor"))
        XCTAssertEqual(try XCTUnwrap(sensor.focal35mm), 4 * 43.27 / Float(320).squareRoot(), accuracy: 1e-4)
        XCTAssertNil(try JPEGFile.read(photo(with: exif([(0x920A, 5, 4)]), name: "no-sensor")).focal35mm,
                     "a focal length in mm without the sensor's pixel pitch says nothing in pixels")
    }

    func testCameraChoosesSettingsThenEXIFThenDefault() {
        var settings = FitSettings()
        let plain = Image(pixels: HostTensor([300, 400, 3], [Float](repeating: 0, count: 360_000)), bitDepth: 8)
        var tagged = plain
        tagged.focal35mm = 85
        XCTAssertEqual(FitCamera(photo: plain, settings: settings).focalSource, "default")
        XCTAssertEqual(FitCamera(photo: plain, settings: settings).focal35mm, settings.defaultFocal35mm)
        XCTAssertEqual(FitCamera(photo: tagged, settings: settings).focal35mm, 85)
        settings.focal35mm = 24
        let chosen = FitCamera(photo: tagged, settings: settings)
        XCTAssertEqual(chosen.focalSource, "settings")
        // 24 mm across the 500 px diagonal of a 400×300 photo, principal point at its centre.
        XCTAssertEqual(chosen.focal, 24 * 500 / 43.27, accuracy: 1e-3)
        XCTAssertEqual(chosen.principalPoint, SIMD2(200, 150))
    }

    /// A point on the optical axis lands on the principal point, and the crop's camera puts it where
    /// the crop shows that photo pixel.
    func testCropCameraSeesThePhotosPrincipalPoint() {
        let camera = FitCamera(width: 400, height: 300, focal35mm: 50, focalSource: "default")
        let frame = CropFrame(box: FaceBox(x: 250, y: 40, width: 100, height: 100), size: 256)
        let (focal, centre) = camera.inCrop(frame)
        XCTAssertEqual(focal, camera.focal * 2.56, accuracy: 1e-3)
        XCTAssertEqual(centre.x, (200 - 250) * 2.56, accuracy: 1e-4)
        XCTAssertEqual(centre.y, (150 - 40) * 2.56, accuracy: 1e-4)
        // A point 10 px right of the principal point in the photo is 25.6 crop px right of it in the crop.
        let photoPoint = SIMD2<Float>(210, 150) - 0.5  // as a 0-based pixel centre
        XCTAssertEqual(frame.toCrop(photoPoint).x - centre.x, 25.6, accuracy: 1e-3)
    }

    func testSettingsFileChangesOnlyWhatItNames() throws {
        let text = #"{"landmark_noise": 0.03, "landmark_rates": {"shape": 0.1}, "focal35mm": 35, "non_negative_expressions": true}"#
        let settings = try FitSettings.read(Data(text.utf8), source: "s.json")
        XCTAssertEqual(settings.landmarkNoise, 0.03)
        XCTAssertEqual(settings.landmarkRates.shape, 0.1)
        XCTAssertEqual(settings.landmarkRates.rotation, FitSettings().landmarkRates.rotation)
        XCTAssertEqual(settings.focal35mm, 35)
        XCTAssertTrue(settings.nonNegativeExpressions)
        XCTAssertEqual(settings.jointIterations, FitSettings().jointIterations)
        // What --print-settings writes reads back as the same settings.
        let printed = try FitSettings.read(settings.json(), source: "printed.json")
        XCTAssertEqual(try printed.json(), try settings.json())
        XCTAssertNil(try FitSettings.read(FitSettings().json(), source: "defaults.json").focal35mm)
    }

    func testSettingsFileErrorsNameTheKey() {
        for (text, expected) in [(#"{"landmark_nois": 1}"#, "unknown setting 'landmark_nois'"),
                                 (#"{"landmark_rates": {"shap": 1}}"#, "unknown setting 'landmark_rates.shap'"),
                                 (#"{"landmark_noise": "a"}"#, "'landmark_noise'"),
                                 (#"{"joint_iterations": 2.5}"#, "'joint_iterations' the value 2.5"),
                                 (#"{"texture_detail_iterations": -1}"#, "'texture_detail_iterations' the value -1"),
                                 (#"{"joint_rates": {"shape": -0.1}}"#, "'joint_rates.shape' the value -0.1"),
                                 (#"{"log_interval": 0}"#, "'log_interval' the value 0.0; an interval"),
                                 (#"{"identity_interval": 0}"#, "'identity_interval' the value 0.0"),
                                 (#"{"texture_size": 0}"#, "'texture_size' the value 0.0"),
                                 (#"{"non_negative_expressions": 1}"#, "'non_negative_expressions' a value of the wrong kind"),
                                 ("[1, 2]", "not a JSON object")] {
            XCTAssertThrowsError(try FitSettings.read(Data(text.utf8), source: "bad.json"), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    /// The Surrey model's folder is found wherever the command runs: the flag, $GANFIT_MODELS/sfm,
    /// then sfm/ in each model folder that holds the shape file; missing, the error lists every place.
    func testTheSurreyModelFolderIsFoundFromAnywhere() throws {
        let (empty, models) = (try scratchFolder(self), try scratchFolder(self))
        try FileManager.default.createDirectory(atPath: models + "/sfm", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: models + "/sfm/" + FitModel.fileNames.shape, contents: Data())
        func locate(_ environment: [String: String], _ folders: [String], explicit: String? = nil) throws -> String {
            try ModelFiles.locateFolder("sfm", marker: FitModel.fileNames.shape, what: "the Surrey face model", explicit: explicit,
                                        flag: "--model", environment: environment, searchFolders: folders)
        }
        XCTAssertEqual(try locate([:], [empty, models]), models + "/sfm")
        XCTAssertEqual(try locate(["GANFIT_MODELS": models], [empty]), models + "/sfm")
        XCTAssertEqual(try locate([:], [models], explicit: "/elsewhere"), "/elsewhere")
        XCTAssertThrowsError(try locate(["GANFIT_MODELS": empty], [empty])) { error in
            XCTAssertTrue("\(error)".contains(empty + "/sfm") && "\(error)".contains("--model FOLDER"), "\(error)")
        }
    }
}

# CenterPoint-pillar, tiny, T4-shaped input: the 5-feature, sweep-using variant of the embedded default.
# Points are x, y, z, intensity, time lag (T4's 5-column .bin; mmdet3d's LoadPointsFromMultiSweeps writes the time
# lag into the last column: 0 for the frame, the lag for its one past sweep). The encoder takes 5 point features
# + 3 cluster-centre + 3 voxel-centre offsets = 11. Weights: assets/centerpoint_tiny_t4_sweeps.pth, the 4-feature
# checkpoint with a zero weight for the time lag (tools/widen_checkpoint.py): the model IGNORES the time lag; the
# variant exercises the 5-feature + sweeps path (export, kernels, runtime, evaluation), not a time-lag-trained model.
_base_ = ["./centerpoint_tiny_synthetic.py"]

point_load_dim = 5
point_use_dim = 5
point_cloud_range = [-44.8, -44.8, -2.0, 44.8, 44.8, 4.0]  # the base's (a child config cannot read its names)

test_pipeline = [
    dict(type="LoadPointsFromFile", coord_type="LIDAR", load_dim=point_load_dim, use_dim=point_use_dim),
    dict(
        type="LoadPointsFromMultiSweeps",
        sweeps_num=1,
        load_dim=point_load_dim,
        use_dim=[0, 1, 2, 3, 4],
        pad_empty_sweeps=True,
        remove_close=True,
        test_mode=True,
    ),
    dict(type="PointsRangeFilter", point_cloud_range=point_cloud_range),
    dict(type="Pack3DDetInputs", keys=["points"]),
]

model = dict(pts_voxel_encoder=dict(in_channels=point_use_dim))

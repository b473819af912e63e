# CenterPoint-pillar, tiny: the embedded default of awml-deploy, trained on synthetic LiDAR scenes
# (awml_deploy.datasets.synthetic_lidar). mmdet3d 1.4 config (mmengine Config.fromfile, scope mmdet3d).
#
# Autoware-compatible structure (autoware_lidar_centerpoint / AWML CenterPoint split):
#   pts_voxel_encoder      PillarFeatureNet, 4 point features (x, y, z, intensity) + 3 cluster-centre + 3 voxel-centre
#                          offsets = 10 input features; exported as [num_voxels, 32, 10] -> [num_voxels, 1, 32]
#   pts_middle_encoder     PointPillarsScatter to a [1, 32, 224, 224] BEV canvas (stays in PyTorch / a kernel)
#   pts_backbone/neck/head SECOND + SECONDFPN + one-task CenterHead: [1, 32, 224, 224] -> heatmap [1, 5, 56, 56],
#                          reg [1, 2, ..], height [1, 1, ..], dim [1, 3, ..], rot [1, 2, ..], vel [1, 2, ..]
# Boxes: the head regresses the gravity-centre z ("height"); predict() returns mmdet3d LiDARInstance3DBoxes
# (bottom-centre z). The synthetic scenes have no motion, so the vel head is trained towards 0.
# The ego frame has z = 0 on the ground (sensor at 1.8 m), hence the z range [-2, 4].

class_names = ["car", "truck", "bus", "bicycle", "pedestrian"]
point_cloud_range = [-44.8, -44.8, -2.0, 44.8, 44.8, 4.0]
voxel_size = [0.4, 0.4, 6.0]
grid_size = [224, 224, 1]
out_size_factor = 4
max_num_points = 32
max_voxels = 20000
point_load_dim = 4
point_use_dim = 4

# The deploy-time preprocessing (awml_deploy.preprocessing.build_preprocessing_pipeline reads it, as mmdet3d would).
test_pipeline = [
    dict(type="LoadPointsFromFile", coord_type="LIDAR", load_dim=point_load_dim, use_dim=point_use_dim),
    dict(type="PointsRangeFilter", point_cloud_range=point_cloud_range),
    dict(type="Pack3DDetInputs", keys=["points"]),
]

norm_cfg_1d = dict(type="BN1d", eps=1e-3, momentum=0.01)
norm_cfg_2d = dict(type="BN", eps=1e-3, momentum=0.01)

model = dict(
    type="CenterPoint",
    data_preprocessor=dict(
        type="Det3DDataPreprocessor",
        voxel=True,
        voxel_layer=dict(
            max_num_points=max_num_points,
            voxel_size=voxel_size,
            point_cloud_range=point_cloud_range,
            max_voxels=(max_voxels, max_voxels),
        ),
    ),
    pts_voxel_encoder=dict(
        type="PillarFeatureNet",
        in_channels=point_use_dim,
        feat_channels=[32],
        with_distance=False,
        with_cluster_center=True,
        with_voxel_center=True,
        voxel_size=voxel_size,
        point_cloud_range=point_cloud_range,
        norm_cfg=norm_cfg_1d,
        legacy=False,
    ),
    pts_middle_encoder=dict(type="PointPillarsScatter", in_channels=32, output_shape=(grid_size[1], grid_size[0])),
    pts_backbone=dict(
        type="SECOND",
        in_channels=32,
        out_channels=[32, 48, 64],
        layer_nums=[1, 2, 2],
        layer_strides=[2, 2, 2],
        norm_cfg=norm_cfg_2d,
        conv_cfg=dict(type="Conv2d", bias=False),
    ),
    pts_neck=dict(
        type="SECONDFPN",
        in_channels=[32, 48, 64],
        out_channels=[32, 32, 32],
        upsample_strides=[0.5, 1, 2],
        norm_cfg=norm_cfg_2d,
        upsample_cfg=dict(type="deconv", bias=False),
        use_conv_for_no_stride=True,
    ),
    pts_bbox_head=dict(
        type="CenterHead",
        in_channels=96,
        tasks=[dict(num_class=len(class_names), class_names=class_names)],
        common_heads=dict(reg=(2, 2), height=(1, 2), dim=(3, 2), rot=(2, 2), vel=(2, 2)),
        share_conv_channel=32,
        bbox_coder=dict(
            type="CenterPointBBoxCoder",
            post_center_range=[-50.0, -50.0, -5.0, 50.0, 50.0, 7.0],
            max_num=200,
            score_threshold=0.1,
            out_size_factor=out_size_factor,
            voxel_size=voxel_size[:2],
            code_size=9,
            pc_range=point_cloud_range[:2],
        ),
        separate_head=dict(type="SeparateHead", init_bias=-2.19, final_kernel=3, head_conv=32),
        loss_cls=dict(type="mmdet.GaussianFocalLoss", reduction="mean"),
        loss_bbox=dict(type="mmdet.L1Loss", reduction="mean", loss_weight=0.25),
        norm_bbox=True,
    ),
    train_cfg=dict(
        pts=dict(
            grid_size=grid_size,
            voxel_size=voxel_size,
            out_size_factor=out_size_factor,
            dense_reg=1,
            gaussian_overlap=0.1,
            max_objs=200,
            min_radius=2,
            code_weights=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.2],
            point_cloud_range=point_cloud_range,
        )
    ),
    test_cfg=dict(
        pts=dict(
            post_center_limit_range=[-50.0, -50.0, -5.0, 50.0, 50.0, 7.0],
            max_per_img=200,
            max_pool_nms=False,
            min_radius=[1.0],
            score_threshold=0.1,
            pc_range=point_cloud_range[:2],
            out_size_factor=out_size_factor,
            voxel_size=voxel_size[:2],
            nms_type="circle",
            pre_max_size=1000,
            post_max_size=100,
            nms_thr=0.2,
        )
    ),
)

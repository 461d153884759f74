"""The demo's learning cases (issue 13): the buck-passing complaint and the unreachable
engineer's, generated from their records like any case, with the analysis and lessons a
service manager would write, and published."""

from django.utils.translation import override

from caredesk.complaints.models import Complaint
from caredesk.insights.cases import services

LESSONS = {
    "buck_passing": {
        "analysis": (
            "请求同时涉及核心网和无线两个专业。每个接到电话的人都只判断“不归我管”，"
            "然后把另一个人的号码给客户，没有人先把请求登记下来。客户讲了三遍同样的事情，"
            "最后只能拨打400投诉。"
        ),
        "lessons": (
            "首问负责：第一个接到请求的人就是责任人，先登记工单，再在系统里转交；"
            "转交被接受之前仍由自己负责。不要让客户自己去找下一个人。"
        ),
        "actions": ["新员工培训加入首问负责制和转交流程", "每月抽查电话登记率"],
    },
    "unreachable": {
        "analysis": (
            "客户平时只认识一位工程师。他在其他区域处理故障时手机关机，客户找不到第二个人，"
            "紧急故障只能投诉。工程师回电后很快恢复，说明问题在于联系渠道，而不是技术能力。"
        ),
        "lessons": (
            "紧急故障要有值班和备份：客户手里要有升级联系人名单（服务经理、产品维护负责人、"
            "SPM、客户群部长），电话无人接听时系统按升级链自动通知下一位。"
        ),
        "actions": ["向省公司和各分公司重新发送升级联系人名单", "值班表覆盖所有紧急时段"],
    },
}


def seed(world: dict) -> None:
    """Generate, write and publish the two cases (the demo loads once; this is part of it)."""
    manager = world["people"]["manager.a"]
    with override("zh-hans"):
        for complaint in (
            Complaint.objects.filter(
                category__code__in=list(LESSONS), status__in=["closed", "withdrawn"]
            )
            .select_related("category")
            .order_by("pk")
        ):
            words = LESSONS[complaint.category.code]
            case = services.generate_case(actor=manager, complaint=complaint)
            case = services.edit_case(
                actor=manager,
                case=case,
                version=case.version,
                changes={
                    "analysis": "\n".join(p for p in (case.analysis, words["analysis"]) if p),
                    "lessons": words["lessons"],
                    "actions": [*case.actions, *words["actions"]],
                },
            )
            services.publish_case(actor=manager, case=case, version=case.version)

from ninja import NinjaAPI

api = NinjaAPI(title="Đảng số API", version="1", urls_namespace="api")

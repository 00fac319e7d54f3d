using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Storage;

namespace OpenEngage.Web;

/// <summary>Registers the profile browser's services: cookie sign-in, antiforgery, Razor Pages and the readers and writers of profiles.</summary>
public static class OpenEngageWebServices
{
    public static IServiceCollection AddOpenEngageWeb(this IServiceCollection services)
    {
        services.AddAuthentication(UiClaims.Scheme).AddCookie(UiClaims.Scheme, options =>
        {
            options.Cookie.Name = "openengage_session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = "/signin";
            options.LogoutPath = "/signout";
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
            options.SlidingExpiration = true;
            // A signed-in account without the right answers 403 rather than being sent to a page.
            options.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.AddAuthorization();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "openengage_antiforgery";
            options.FormFieldName = "__antiforgery";
        });
        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/");
            options.Conventions.AllowAnonymousToPage("/SignIn");
        }).AddMvcOptions(options => options.Filters.Add<UiErrorFilter>()).ConfigureApplicationPartManager(manager =>
        {
            // Only this assembly's pages, whichever assembly hosts the server.
            manager.ApplicationParts.Clear();
            var assembly = typeof(OpenEngageWebServices).Assembly;
            foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
            {
                manager.ApplicationParts.Add(part);
            }
        });

        services.AddSingleton<ProfileBrowser>();
        services.AddSingleton<ProfileWriter>();
        services.AddSingleton<BulkJobs>();
        services.AddSingleton<PropertyOverview>();
        services.AddSingleton(provider => provider.GetRequiredService<IProfileStore>() as ISavedFilterStore
            ?? throw new InvalidOperationException("The configured store does not keep saved filters."));
        return services;
    }
}
